// Package flowsource collects IPFIX (RFC 7011), NetFlow v9 and NetFlow v5
// over UDP and turns them into flow.Records. Templates are parsed by the
// decoders of github.com/netsampler/goflow2/v2 and compiled into decode
// plans; packets of data sets whose templates have only fixed-length
// fields, and NetFlow v5, are then decoded in place without allocating.
// Everything else (template sets, variable-length fields, unknown
// templates, malformed packets) goes through goflow2, with the same
// result: TestFastVsGoflow2 and FuzzFastVsGoflow2 hold both paths equal.
//
// Templates are kept per exporter (source address and port) and
// observation domain; IPFIX template withdrawals remove them and reused IDs
// replace them. Options data carrying samplingInterval (34),
// samplerRandomInterval (50) or samplingPacketInterval (305) sets the
// exporter's sampling rate, as does the NetFlow v5 header; Config.Sampling
// overrides both. Records carry the rate; detections scale counts by it.
//
// Bad input never stops the collector: truncated packets, unknown template
// IDs, zero-length or oversized templates and floods of exporters are
// counted in Counters and dropped. Memory is bounded by MaxExporters x
// MaxTemplates x MaxTemplateFields.
package flowsource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"

	"github.com/vedette/vedette/internal/flow"
)

// maxDatagram is the largest UDP payload read.
const maxDatagram = 65535

// Collector reads flow export packets from UDP sockets.
type Collector struct {
	dec       *Decoder
	conns     []*net.UDPConn
	buffers   []Buffer // per socket, in conns' order
	consume   func([]flow.Record)
	log       *slog.Logger
	consumeMu sync.Mutex
}

// New validates cfg and binds the UDP sockets, so that LocalAddrs is known
// before Run.
func New(cfg Config, deps Deps) (*Collector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Consumer == nil {
		return nil, fmt.Errorf("flowsource: nil consumer: %w", ErrConfig)
	}
	c := &Collector{dec: NewDecoder(cfg), consume: deps.Consumer, log: deps.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	for _, addr := range cfg.Listen {
		ua, err := net.ResolveUDPAddr("udp", addr)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("flowsource: listen %s: %w", addr, err)
		}
		conn, err := net.ListenUDP("udp", ua)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("flowsource: listen %s: %w", addr, err)
		}
		c.conns = append(c.conns, conn)
		b, err := sizeBuffer(sockRcvbuf{conn}, cfg.ReadBuffer)
		b.Listen = conn.LocalAddr().(*net.UDPAddr).AddrPort()
		switch {
		case err != nil:
			c.log.Warn("flow collector: receive buffer", "listen", b.Listen, "err", err)
		case b.Capped:
			c.warnCapped(b)
		}
		c.buffers = append(c.buffers, b)
	}
	return c, nil
}

// LocalAddrs are the bound socket addresses.
func (c *Collector) LocalAddrs() []netip.AddrPort {
	var out []netip.AddrPort
	for _, conn := range c.conns {
		out = append(out, conn.LocalAddr().(*net.UDPAddr).AddrPort())
	}
	return out
}

// Buffers are the sockets' receive buffers as the kernel set them.
func (c *Collector) Buffers() []Buffer { return append([]Buffer(nil), c.buffers...) }

// Counters returns the running totals.
func (c *Collector) Counters() Counters { return c.dec.Counters() }

// Run reads until ctx is done, then closes the sockets and returns nil. It
// returns an error only if a socket fails otherwise.
func (c *Collector) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(c.conns))
	for _, conn := range c.conns {
		go func() { errs <- c.read(ctx, conn) }()
	}
	<-ctx.Done()
	c.close()
	var err error
	for range c.conns {
		err = errors.Join(err, <-errs)
	}
	return err
}

func (c *Collector) close() {
	for _, conn := range c.conns {
		conn.Close()
	}
}

func (c *Collector) read(ctx context.Context, conn *net.UDPConn) error {
	buf := make([]byte, maxDatagram)
	var recs []flow.Record
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("flowsource: read %s: %w", conn.LocalAddr(), err)
		}
		recs, _ = c.dec.Decode(from, buf[:n], recs[:0]) // errors are counted
		if len(recs) > 0 {
			c.consumeMu.Lock()
			c.consume(recs)
			c.consumeMu.Unlock()
		}
	}
}
