package flowsource

import (
	"errors"
	"fmt"
	"net/netip"
)

// DefaultReadBuffer is the receive buffer asked for each collector socket:
// exporters send in bursts (a router flushing its cache, a template
// refresh, a GC pause here), and the OS default (about 208 KiB on Linux,
// some 90 full datagrams) overflows within milliseconds at a million flows
// a second. 16 MiB holds about a quarter of a second of that.
const DefaultReadBuffer = 16 << 20

// Buffer is the receive buffer a collector socket got.
type Buffer struct {
	Listen netip.AddrPort `json:"listen"`
	// Requested is read_buffer in bytes; 0 kept the OS default.
	Requested int `json:"requested"`
	// Effective is what the kernel reports after setting it. Linux
	// reports twice the bytes set (it counts its bookkeeping too) and
	// caps what is set at net.core.rmem_max; 0 when it cannot be read.
	Effective int `json:"effective"`
	// Forced: set with SO_RCVBUFFORCE past net.core.rmem_max, which
	// takes CAP_NET_ADMIN.
	Forced bool `json:"forced,omitempty"`
	// Capped: the kernel gave less than requested.
	Capped bool `json:"capped,omitempty"`
}

// rcvbuf is the kernel interface of one socket's receive buffer.
type rcvbuf interface {
	set(bytes int) error   // SO_RCVBUF, capped at net.core.rmem_max
	force(bytes int) error // SO_RCVBUFFORCE, past the cap with CAP_NET_ADMIN
	get() (int, error)     // SO_RCVBUF read back
}

// sizeBuffer asks the kernel for want bytes of receive buffer (0: leave
// it), forces them past the system cap if the kernel caps them and this
// process may, and reads back what the socket got.
func sizeBuffer(s rcvbuf, want int) (Buffer, error) {
	b := Buffer{Requested: want}
	if want > 0 {
		if err := s.set(want); err != nil {
			return b, fmt.Errorf("flowsource: receive buffer: %w", err)
		}
	}
	got, err := s.get()
	if errors.Is(err, errors.ErrUnsupported) {
		return b, nil
	}
	if err != nil {
		return b, fmt.Errorf("flowsource: receive buffer: %w", err)
	}
	if want > 0 && got < want*kernelFactor && s.force(want) == nil {
		b.Forced = true
		if got, err = s.get(); err != nil {
			return b, fmt.Errorf("flowsource: receive buffer: %w", err)
		}
	}
	b.Effective = got
	b.Capped = want > 0 && got < want*kernelFactor
	return b, nil
}

// warnCapped logs a socket whose buffer the kernel capped, with the sysctl
// that lifts the cap.
func (c *Collector) warnCapped(b Buffer) {
	c.log.Warn("flow collector: the kernel capped the UDP receive buffer; bursts will be dropped (vedette_flow_drops_total{reason=\"kernel\"})",
		"listen", b.Listen, "requested", b.Requested, "effective", b.Effective/kernelFactor,
		"fix", fmt.Sprintf("sysctl -w net.core.rmem_max=%d (and in /etc/sysctl.d), or run with CAP_NET_ADMIN", b.Requested))
}
