package flowsource

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/vedette/vedette/internal/flow"
)

// Config configures the UDP collector.
type Config struct {
	// Listen are the UDP addresses to read from. Every socket accepts
	// IPFIX, NetFlow v9 and v5 (told apart by the version field). Default
	// ":4739" (IPFIX) and ":2055" (NetFlow).
	Listen []string `yaml:"listen"`
	// MaxExporters caps how many exporters (source address and port) keep
	// state; packets of further exporters are dropped. Default 1024.
	MaxExporters int `yaml:"max_exporters"`
	// MaxTemplates caps the templates kept per exporter. Default 256.
	MaxTemplates int `yaml:"max_templates"`
	// MaxTemplateFields rejects templates with more fields. Default 256.
	MaxTemplateFields int `yaml:"max_template_fields"`
	// Sampling sets the 1-in-N sampling rate of exporters by IP, overriding
	// what their options templates or headers say.
	Sampling map[netip.Addr]uint32 `yaml:"sampling"`
	// ReadBuffer is the receive buffer asked for each socket, in bytes;
	// 0 keeps the OS's. Past net.core.rmem_max it is forced when the
	// process has CAP_NET_ADMIN, else capped with a warning. Default
	// DefaultReadBuffer (16 MiB).
	ReadBuffer int `yaml:"read_buffer"`
	// Exporters, if set, are the only source addresses whose packets are
	// decoded; others are dropped (counted NotAllowed) before any state is
	// kept for them.
	Exporters []netip.Prefix `yaml:"exporters"`
	// ExporterIdle evicts an exporter, with its templates, once it has
	// sent nothing for this long (wall clock). At MaxExporters, exporters
	// that never produced a flow record are evicted first, oldest first,
	// so a flood of source ports cannot lock out a restarting exporter.
	// Default 10m.
	ExporterIdle time.Duration `yaml:"exporter_idle"`
	// MaxTemplateMemory bounds the template state of all exporters, in
	// bytes (estimated at templateFieldCost per field plus
	// templateBaseCost per template, measured); templates beyond it are
	// rejected and counted. Default 32 MiB.
	MaxTemplateMemory int64 `yaml:"max_template_memory"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{Listen: []string{":4739", ":2055"}, MaxExporters: 1024, MaxTemplates: 256, MaxTemplateFields: 256,
		ExporterIdle: 10 * time.Minute, MaxTemplateMemory: 32 << 20, ReadBuffer: DefaultReadBuffer}
}

// ErrConfig marks invalid configuration.
var ErrConfig = errors.New("invalid config")

// Validate checks the configuration without I/O.
func (c *Config) Validate() error {
	if len(c.Listen) == 0 {
		return fmt.Errorf("flowsource: no listen address: %w", ErrConfig)
	}
	if c.MaxExporters <= 0 || c.MaxTemplates <= 0 || c.MaxTemplateFields <= 0 || c.MaxTemplateMemory <= 0 {
		return fmt.Errorf("flowsource: caps must be positive: %w", ErrConfig)
	}
	if c.ExporterIdle < time.Second {
		return fmt.Errorf("flowsource: exporter_idle %s is shorter than 1s: %w", c.ExporterIdle, ErrConfig)
	}
	return nil
}

// Deps are the collector's collaborators.
type Deps struct {
	// Consumer receives the records of each packet. It is called from one
	// goroutine at a time and must not keep the slice after returning.
	Consumer func([]flow.Record)
	Logger   *slog.Logger
}
