package netdetect

import (
	"net/netip"
	"time"

	"github.com/vedette/vedette/internal/flow"
)

// maxScale bounds the sampling factor so that a bogus rate cannot overflow
// hourly counters.
const maxScale = 1 << 16

// count adds one flow of the channel's service to c. peer is the other
// side; in says the monitored host is the destination.
func count(c *channel, r *flow.Record, peer [16]byte, in bool, ms int64, maxBytes uint64) {
	scale := min(r.Scale(), maxScale)
	w := uint32(scale)
	size := r.Bytes + r.RevBytes
	c.Bytes += size * scale
	attempt := false
	switch {
	case r.Action == flow.ActionDeny:
		c.Denied += w
	case r.State == flow.StateContinue:
		return // counted when it began
	case r.State == flow.StateEnd:
		if size > maxBytes && c.Attempts >= w {
			c.Attempts -= w // it began as an attempt but was a session
			c.Sessions += w
			c.Top.sub(peer, w)
		}
		return
	case r.TCPFlags != 0 && r.TCPFlags&flow.TCPAck == 0,
		r.TCPFlags&flow.TCPRst != 0 && r.Packets <= 2:
		c.Failed += w
	case size > maxBytes:
		c.Sessions += w
		return
	default:
		c.Attempts += w
		attempt = true
	}
	c.Last = max(c.Last, ms)
	if in && !attempt {
		return // incoming rules look at allowed attempts only
	}
	c.addPeer(peer, w)
}

// checkC2 records traffic between h's IP and a listed peer. Denied inbound
// flows are not communication; denied outbound ones are (the host tried).
func (e *Engine) checkC2(t *hostTable, h *hostHour, r *flow.Record, peer netip.Addr, port uint16, out bool, ms int64) {
	if e.ti == nil || !e.c2 || (!out && r.Action == flow.ActionDeny) {
		return
	}
	if _, ok := e.ti.Lookup(peer, time.UnixMilli(ms)); !ok {
		return
	}
	a := peer.As16()
	scale := min(r.Scale(), maxScale)
	x := t.extra(h)
	for i := range x.c2 {
		s := &x.c2[i]
		if s.Flows == 0 {
			*s = C2Hit{Addr: a, Port: port, Out: out}
		}
		if s.Addr == a {
			s.Flows += uint32(scale)
			s.Bytes += (r.Bytes + r.RevBytes) * scale
			s.Last = max(s.Last, ms)
			s.Out = s.Out || out
			return
		}
	}
	x.c2More++
}
