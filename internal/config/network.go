package config

import (
	"fmt"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/vedette/vedette/internal/flowsource"
	"github.com/vedette/vedette/internal/netdetect"
)

// Network configures the flow collector and the network detections.
type Network struct {
	Collector Collector `yaml:"collector"`
	// Inventory is an ip,host,subscription CSV file (see package
	// inventory) naming the monitored hosts. Empty: hosts are learned from
	// Azure flow logs only (and Detections.MonitorPrefixes).
	Inventory string `yaml:"inventory"`
	TI        TI     `yaml:"ti"`
	// SnapshotInterval is how often `vedette serve` saves the network
	// detection state to the store (it also saves on shutdown). Default 1m.
	SnapshotInterval time.Duration `yaml:"snapshot_interval"`
	// Detections are the network detections' thresholds and switches.
	Detections netdetect.Config `yaml:"detections"`
}

// Collector configures the UDP flow collector of `vedette serve`. Every
// socket accepts IPFIX, NetFlow v9 and v5; the two lists only name the
// conventional ports.
type Collector struct {
	// IPFIX are UDP listen addresses for IPFIX. Default [":4739"].
	IPFIX []string `yaml:"ipfix"`
	// NetFlow are UDP listen addresses for NetFlow v5/v9. Default [":2055"].
	NetFlow []string `yaml:"netflow"`
	// Sampling overrides the 1-in-N packet sampling rate of exporters, by
	// exporter IP address. Default none.
	Sampling map[string]uint32 `yaml:"sampling"`
	// MaxExporters caps the exporters keeping template state. Default 1024.
	MaxExporters int `yaml:"max_exporters"`
	// MaxTemplates caps templates per exporter. Default 256.
	MaxTemplates int `yaml:"max_templates"`
	// MaxTemplateFields rejects larger templates. Default 256.
	MaxTemplateFields int `yaml:"max_template_fields"`
	// ReadBuffer is the socket receive buffer in bytes; 0 keeps the OS's.
	ReadBuffer int `yaml:"read_buffer"`
}

// TI lists the threat-intelligence feeds of the C2 detection.
type TI struct {
	// Lists are plain IP/CIDR list files. Default none.
	Lists []string `yaml:"lists"`
	// STIX are STIX 2.1 JSON files (bundles or single indicators).
	STIX []string `yaml:"stix"`
	// ReloadInterval is how often `vedette serve` checks the feed files for
	// changes. Default 1m.
	ReloadInterval time.Duration `yaml:"reload_interval"`
}

// DefaultNetwork returns the network defaults: flowsource.DefaultConfig's
// caps and ports, netdetect.DefaultConfig's thresholds.
func DefaultNetwork() Network {
	fs := flowsource.DefaultConfig()
	return Network{
		Collector: Collector{
			IPFIX: []string{":4739"}, NetFlow: []string{":2055"},
			MaxExporters: fs.MaxExporters, MaxTemplates: fs.MaxTemplates, MaxTemplateFields: fs.MaxTemplateFields,
		},
		TI:               TI{ReloadInterval: time.Minute},
		SnapshotInterval: time.Minute,
		Detections:       netdetect.DefaultConfig(),
	}
}

// FlowSource is the collector's configuration for package flowsource.
// Call it on a validated Network: bad sampling keys are skipped.
func (c Collector) FlowSource() flowsource.Config {
	out := flowsource.Config{
		Listen:       append(append([]string(nil), c.IPFIX...), c.NetFlow...),
		MaxExporters: c.MaxExporters, MaxTemplates: c.MaxTemplates, MaxTemplateFields: c.MaxTemplateFields,
		ReadBuffer: c.ReadBuffer,
	}
	for _, k := range slices.Sorted(maps.Keys(c.Sampling)) {
		v := c.Sampling[k]
		if ip, err := netip.ParseAddr(k); err == nil {
			if out.Sampling == nil {
				out.Sampling = map[netip.Addr]uint32{}
			}
			out.Sampling[ip.Unmap()] = v
		}
	}
	return out
}

// Feeds are the TI files, lists first.
func (t TI) Feeds() []string { return append(append([]string(nil), t.Lists...), t.STIX...) }

func (n *Network) validate() []error {
	errs := n.Collector.validate()
	if n.SnapshotInterval <= 0 {
		errs = append(errs, fmt.Errorf("network.snapshot_interval: %s must be positive", n.SnapshotInterval))
	}
	if n.TI.ReloadInterval <= 0 {
		errs = append(errs, fmt.Errorf("network.ti.reload_interval: %s must be positive", n.TI.ReloadInterval))
	}
	for i, p := range n.TI.Lists {
		if p == "" {
			errs = append(errs, fmt.Errorf("network.ti.lists[%d]: must not be empty", i))
		}
	}
	for i, p := range n.TI.STIX {
		if p == "" {
			errs = append(errs, fmt.Errorf("network.ti.stix[%d]: must not be empty", i))
		}
	}
	if err := n.Detections.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("network.detections: %w", err))
	}
	errs = append(errs, validatePorts(&n.Detections)...)
	for i, p := range n.Detections.MonitorPrefixes {
		if !p.IsValid() {
			errs = append(errs, fmt.Errorf("network.detections.monitor_prefixes[%d]: invalid prefix", i))
		}
	}
	return errs
}

func validatePorts(d *netdetect.Config) []error {
	var errs []error
	ssh := map[uint16]bool{}
	for _, p := range d.SSH.Ports {
		ssh[p] = true
	}
	if slices.Contains(d.SSH.Ports, 0) || slices.Contains(d.RDP.Ports, 0) {
		errs = append(errs, fmt.Errorf("network.detections: port 0 is not a service port"))
	}
	for _, p := range d.RDP.Ports {
		if ssh[p] {
			errs = append(errs, fmt.Errorf("network.detections: port %d is in both ssh.ports and rdp.ports", p))
		}
	}
	return errs
}

func (c *Collector) validate() []error {
	var errs []error
	if len(c.IPFIX)+len(c.NetFlow) == 0 {
		errs = append(errs, fmt.Errorf("network.collector: needs at least one ipfix or netflow listen address"))
	}
	seen := map[string]bool{}
	for _, l := range []struct {
		name  string
		addrs []string
	}{{"ipfix", c.IPFIX}, {"netflow", c.NetFlow}} {
		name := l.name
		for i, a := range l.addrs {
			where := fmt.Sprintf("network.collector.%s[%d]", name, i)
			if err := validListen(a); err != nil {
				errs = append(errs, fmt.Errorf("%s: %q: %w", where, a, err))
			} else if seen[a] {
				errs = append(errs, fmt.Errorf("%s: %q is listed twice", where, a))
			}
			seen[a] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Sampling)) {
		v := c.Sampling[k]
		if _, err := netip.ParseAddr(k); err != nil {
			errs = append(errs, fmt.Errorf("network.collector.sampling: key %q is not an IP address", k))
		}
		if v == 0 {
			errs = append(errs, fmt.Errorf("network.collector.sampling[%s]: rate must be at least 1 (1 in N packets)", k))
		}
	}
	if min(c.MaxExporters, c.MaxTemplates, c.MaxTemplateFields) <= 0 {
		errs = append(errs, fmt.Errorf("network.collector: max_exporters, max_templates and max_template_fields must be positive"))
	}
	if c.ReadBuffer < 0 {
		errs = append(errs, fmt.Errorf("network.collector.read_buffer: must not be negative"))
	}
	return errs
}

// validListen checks a host:port UDP listen address without resolving it.
func validListen(a string) error {
	_, port, err := net.SplitHostPort(a)
	if err != nil {
		return fmt.Errorf("want host:port or :port")
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || (n == 0 && port != "0") {
		return fmt.Errorf("port %q is not a number in 0..65535", port)
	}
	return nil
}

// resolvePaths makes the network section's file paths absolute with abs.
func (n *Network) resolvePaths(abs func(string) string) {
	n.Inventory = abs(n.Inventory)
	for i := range n.TI.Lists {
		n.TI.Lists[i] = abs(n.TI.Lists[i])
	}
	for i := range n.TI.STIX {
		n.TI.STIX[i] = abs(n.TI.STIX[i])
	}
}
