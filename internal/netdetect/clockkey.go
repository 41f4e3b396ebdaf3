package netdetect

import "net/netip"

// Bounds on the exporter clocks. A clock costs about 100 bytes; an
// exporter may put any observation domain or source ID in its packets, so
// a hostile or broken one could otherwise grow the clocks without bound.
// maxDomains keeps one address from taking the room of the others.
const (
	maxClocks  = 1 << 14 // clocks in all: about 1.6 MB
	maxDomains = 64      // clocks per exporter address
)

// clockKey names an exporter's clock: the device's address and the
// observation domain (IPFIX) or source ID (NetFlow v9) of its records.
type clockKey struct {
	exp    netip.Addr
	domain uint32
}

// clockable reports whether k has a clock or may get one. A record of a
// k that may not is counted (Counters.ClockRefused) and kept, but reports
// no hour: an exporter without a clock has passed nothing, so it neither
// holds its hours open nor closes them, and the wall clock (HourIdle)
// closes them if no other exporter does. Room comes back as prune drops
// idle clocks.
func (e *Engine) clockable(k clockKey) bool {
	if m := &e.clock; m.ok && m.key == k {
		return true
	}
	if _, ok := e.clocks[k]; ok {
		return true
	}
	return len(e.clocks) < maxClocks && e.perAddr[k.exp] < maxDomains
}

// dropClock removes k's clock.
func (e *Engine) dropClock(k clockKey) {
	if _, ok := e.clocks[k]; !ok {
		return
	}
	delete(e.clocks, k)
	if e.perAddr[k.exp]--; e.perAddr[k.exp] <= 0 {
		delete(e.perAddr, k.exp)
	}
}
