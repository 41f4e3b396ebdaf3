package netdetect

import (
	"net/netip"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/flow"
)

// inDomain stamps records with an exporter and an observation domain.
func inDomain(exp netip.Addr, domain uint32, recs []flow.Record) []flow.Record {
	for i := range from(exp, recs) {
		recs[i].Domain = domain
	}
	return recs
}

// TestClockPerDomain: two observation domains of one exporter device keep
// time apart. Domain 2 runs two hours ahead; domain 1's brute force in
// the hour before is neither late nor cut short by it, and closes when
// domain 1's own clock passes the hour.
func TestClockPerDomain(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	brute := inDomain(goodExp, 1, conn{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}.records(t0))
	observeAll(e, brute[:20])
	ahead := inDomain(goodExp, 2, []flow.Record{one(goodExp, "203.0.113.1", "10.0.0.5", t0.Add(2*time.Hour))})
	observeAll(e, ahead)
	observeAll(e, brute[20:])
	if c := e.Counters(); c.Late != 0 || c.ClockRefused != 0 {
		t.Fatalf("counters %+v: domain 2's clock poisoned domain 1's flows", c)
	}
	if _, open := e.open[t0.Unix()]; !open {
		t.Fatal("the brute-force hour closed on the other domain's clock")
	}
	next := inDomain(goodExp, 1, []flow.Record{one(goodExp, "10.0.0.4", "203.0.113.9", t0.Add(66*time.Minute))})
	out := observeAll(e, next)
	if len(out) == 0 {
		t.Fatal("no alert once domain 1's clock passed the hour")
	}
	if len(e.clocks) != 2 || e.perAddr[goodExp] != 2 {
		t.Errorf("clocks %v, per address %v", e.clocks, e.perAddr)
	}
}

// TestClockDomainSpray: an exporter spraying domain IDs gets maxDomains
// clocks, the rest of its records counted as refused (kept, not late);
// other exporters keep theirs; idle clocks are pruned and their room
// comes back; a snapshot keeps the domains.
func TestClockDomainSpray(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	e.Tick(t0)
	for d := range uint32(maxDomains + 100) {
		r := one(rogueExp, "203.0.113.1", "10.0.0.4", t0.Add(time.Minute))
		r.Domain = d
		e.Observe(&r)
	}
	if c := e.Counters(); c.ClockRefused != 100 || c.Late != 0 || c.Flows != maxDomains+100 || c.Unmonitored != 0 {
		t.Fatalf("counters %+v, want 100 refused", c)
	}
	if len(e.clocks) != maxDomains || e.perAddr[rogueExp] != maxDomains {
		t.Fatalf("%d clocks (%d for the sprayer), want %d", len(e.clocks), e.perAddr[rogueExp], maxDomains)
	}
	good := inDomain(goodExp, 7, []flow.Record{one(goodExp, "198.51.100.9", "10.0.0.4", t0.Add(2*time.Minute))})
	observeAll(e, good)
	if _, ok := e.clocks[clockKey{goodExp, 7}]; !ok || e.Counters().ClockRefused != 100 {
		t.Fatalf("the other exporter got no clock: %+v", e.Counters())
	}

	r := restored(t, e)
	if len(r.clocks) != len(e.clocks) || r.perAddr[rogueExp] != maxDomains || r.open[t0.Unix()].pending != e.open[t0.Unix()].pending {
		t.Fatalf("restored %d clocks (%d for the sprayer), pending %d; want %d, %d, %d", len(r.clocks), r.perAddr[rogueExp],
			r.open[t0.Unix()].pending, len(e.clocks), maxDomains, e.open[t0.Unix()].pending)
	}
	if _, ok := r.open[t0.Unix()].set[clockKey{goodExp, 7}]; !ok {
		t.Fatal("restored hour lost its reporter's domain")
	}

	e.Tick(t0.Add(3 * time.Hour)) // every clock idle, every hour closed
	if len(e.clocks) != 0 || len(e.perAddr) != 0 {
		t.Fatalf("%d clocks, %v per address after prune", len(e.clocks), e.perAddr)
	}
	late := one(rogueExp, "203.0.113.1", "10.0.0.4", t0.Add(3*time.Hour))
	late.Domain = maxDomains + 99
	e.Observe(&late)
	if _, ok := e.clocks[clockKey{rogueExp, maxDomains + 99}]; !ok || e.Counters().ClockRefused != 100 {
		t.Fatalf("no room came back: %+v", e.Counters())
	}
}

// TestClockCap: maxClocks bounds the clocks of all exporters together.
func TestClockCap(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	for i := range maxClocks + 10 {
		r := one(netip.AddrFrom4([4]byte{192, 0, byte(i >> 8), byte(i)}), "203.0.113.1", "203.0.113.2", t0)
		r.Domain = uint32(i % 3)
		e.Observe(&r)
	}
	if c := e.Counters(); len(e.clocks) != maxClocks || c.ClockRefused != 10 || c.Flows != maxClocks+10 {
		t.Fatalf("%d clocks, counters %+v", len(e.clocks), c)
	}
}
