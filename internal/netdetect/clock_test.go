package netdetect

import (
	"encoding/binary"
	"maps"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
)

var (
	goodExp  = netip.MustParseAddr("192.0.2.1")
	rogueExp = netip.MustParseAddr("192.0.2.66")
)

// from stamps records with an exporter.
func from(exp netip.Addr, recs []flow.Record) []flow.Record {
	for i := range recs {
		recs[i].Exporter = exp
	}
	return recs
}

func observeAll(e *Engine, recs []flow.Record) []event.Alert {
	var out []event.Alert
	for i := range recs {
		out = append(out, e.Observe(&recs[i])...)
	}
	return out
}

// one is a single small flow between two addresses at t.
func one(exp netip.Addr, src, dst string, at time.Time) flow.Record {
	return flow.Record{Start: at, End: at, Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), SrcPort: 50000,
		DstPort: 443, Proto: flow.ProtoTCP, Packets: 3, Bytes: 300, Exporter: exp, Source: "udp:" + exp.String(), Index: 1}
}

func TestClockPerExporter(t *testing.T) {
	t.Parallel()
	brute := conn{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}
	tests := []struct {
		name string
		// rogue are the rogue exporter's records, sent after the good
		// exporter's brute force and before its next hour.
		rogue     []flow.Record
		tick      time.Duration // wall clock after t0's hour end, 0 for none
		wantOpen  bool          // the brute-force hour still open after the good exporter moved on
		wantAlert bool
	}{
		{"a future-stamped flow about nobody closes nothing and freezes nothing",
			[]flow.Record{one(rogueExp, "203.0.113.1", "203.0.113.2", time.Date(2106, 2, 7, 6, 0, 0, 0, time.UTC))}, 0, false, true},
		{"a future-stamped flow about a monitored host cannot close its hour early",
			[]flow.Record{one(rogueExp, "203.0.113.1", "10.0.0.4", t0.Add(10*time.Minute)), one(rogueExp, "203.0.113.1", "203.0.113.2", t0.AddDate(80, 0, 0))}, 0, false, true},
		{"a stopped exporter holds the hour it reported",
			[]flow.Record{one(rogueExp, "203.0.113.1", "10.0.0.4", t0.Add(10*time.Minute))}, 0, true, false},
		{"until the wall clock passes its end by hour_idle",
			[]flow.Record{one(rogueExp, "203.0.113.1", "10.0.0.4", t0.Add(10*time.Minute))}, 31 * time.Minute, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEngine(t, nil)
			out := observeAll(e, from(goodExp, brute.records(t0)))
			out = append(out, observeAll(e, tc.rogue)...)
			next := one(goodExp, "10.0.0.4", "203.0.113.9", t0.Add(66*time.Minute))
			out = append(out, e.Observe(&next)...)
			if tc.tick > 0 {
				out = append(out, e.Tick(t0.Add(time.Hour+tc.tick))...)
			}
			_, open := e.open[t0.Unix()]
			if open != tc.wantOpen {
				t.Errorf("brute-force hour open = %v, want %v", open, tc.wantOpen)
			}
			if got := len(out) > 0; got != tc.wantAlert {
				t.Errorf("alerts %v, want alert %v", ids(out), tc.wantAlert)
			}
			if c := e.Counters(); c.Late != 0 {
				t.Errorf("late = %d, want 0: no genuine flow may be late", c.Late)
			}
		})
	}
}

func TestClockLate(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	a := one(goodExp, "198.51.100.9", "10.0.0.4", t0.Add(5*time.Minute))
	b := one(goodExp, "198.51.100.9", "10.0.0.4", t0.Add(70*time.Minute)) // closes hour t0
	e.Observe(&a)
	e.Observe(&b)
	if e.OpenHours() != 1 {
		t.Fatalf("open hours = %d, want 1", e.OpenHours())
	}
	// Another exporter's flow for the closed hour is late; so is the good
	// exporter's own flow for an hour its clock has passed that nobody
	// opened, and any flow the wall clock has left behind.
	late := []flow.Record{
		one(rogueExp, "198.51.100.9", "10.0.0.4", t0.Add(30*time.Minute)),
		one(goodExp, "198.51.100.9", "10.0.0.5", t0.Add(-30*time.Minute)),
	}
	observeAll(e, late)
	if got := e.Counters().Late; got != 2 {
		t.Fatalf("late = %d, want 2", got)
	}
	e.Tick(t0.Add(5 * time.Hour))
	old := one(rogueExp, "198.51.100.9", "10.0.0.4", t0.Add(3*time.Hour))
	e.Observe(&old)
	if got := e.Counters().Late; got != 3 {
		t.Fatalf("late = %d after a flow the wall clock left behind, want 3", got)
	}
	if e.OpenHours() != 0 {
		t.Fatalf("open hours = %d after Tick, want 0", e.OpenHours())
	}
}

func TestClockSnapshotAndRepair(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	recs := []flow.Record{
		one(goodExp, "198.51.100.9", "10.0.0.4", t0.Add(5*time.Minute)),
		one(rogueExp, "198.51.100.9", "10.0.0.4", t0.Add(6*time.Minute)),
		one(goodExp, "198.51.100.9", "10.0.0.5", t0.Add(65*time.Minute)),
		// What an older version let in: a clock in 2106 and its hour.
		one(rogueExp, "203.0.113.1", "10.0.0.5", time.Date(2106, 2, 7, 6, 0, 0, 0, time.UTC)),
	}
	// ... and an Azure tuple of 2106 that taught the inventory a mapping.
	nic := one(netip.Addr{}, "203.0.113.1", "10.0.0.9", time.Date(2106, 2, 7, 6, 28, 0, 0, time.UTC))
	nic.MAC, nic.Direction = "00-0D-3A-11-22-33", flow.DirectionIn
	observeAll(e, append(recs, nic))
	r := restored(t, e)
	if diff := cmp.Diff(e.clocks, r.clocks, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Fatalf("clocks (-saved +restored):\n%s", diff)
	}
	for h, o := range e.open {
		if got := r.open[h]; got == nil || got.pending != o.pending || len(got.set) != len(o.set) {
			t.Fatalf("hour %d reporters restored as %+v, want %+v", h, got, o.reporters)
		}
	}
	if n := r.Repair(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), t0.Add(3*time.Hour)); n != 4 {
		t.Fatalf("repair removed %d entries, want 4 (the 2106 clocks, hour and learned mapping)", n)
	}
	if _, ok := r.inv.Lookup(netip.MustParseAddr("10.0.0.9"), time.Date(2106, 2, 7, 6, 28, 0, 0, time.UTC)); ok {
		t.Fatal("the 2106 mapping survived the repair")
	}
	// The rogue clock is gone: hour t0 (reported by both) waits for the
	// rogue exporter only, whose clock restarts where its next flow says.
	next := one(rogueExp, "198.51.100.9", "10.0.0.4", t0.Add(66*time.Minute))
	r.Observe(&next)
	if _, open := r.open[t0.Unix()]; open {
		t.Fatal("hour t0 still open after both exporters passed it")
	}
}

// FuzzClocks drives the engine with flows from a few exporters (and
// observation domains) at times
// drawn from the whole int64 range, wall-clock ticks and snapshots, and
// checks the clock invariants: no panic, each open hour's pending count
// matches its reporters' clocks, a closed hour never reopens, Flush
// leaves nothing open.
func FuzzClocks(f *testing.F) {
	seed := func(ms ...int64) []byte {
		var b []byte
		for i, m := range ms {
			b = append(b, byte(i%5))
			b = binary.BigEndian.AppendUint64(b, uint64(m))
		}
		return b
	}
	base := t0.UnixMilli()
	f.Add(seed(base, base+60_000, base+3_700_000, base+7_300_000))
	f.Add(seed(base, -1<<63, 1<<63-1, base+3_700_000, 0, -1))
	f.Add(seed(base, 4_294_967_280_000, base+1, base+3_599_999, base+3_900_000))
	f.Fuzz(func(t *testing.T, data []byte) {
		e := newEngine(t, nil)
		closed := map[int64]bool{}
		for len(data) >= 9 {
			op, ms := data[0], int64(binary.BigEndian.Uint64(data[1:9]))
			data = data[9:]
			at := time.UnixMilli(ms)
			if op%5 == 4 {
				e.Tick(at)
			} else {
				exp := netip.AddrFrom4([4]byte{192, 0, 2, op % 5})
				dst := "10.0.0.4"
				if op&0x80 != 0 {
					dst = "10.0.0.5"
				}
				r := one(exp, "198.51.100.9", dst, at)
				r.DstPort, r.Domain = 22, uint32(op>>5&3) // domains of one device keep time apart
				e.Observe(&r)
			}
			checkClocks(t, e, closed)
		}
		e.Flush()
		if e.OpenHours() != 0 {
			t.Fatalf("%d hours open after Flush", e.OpenHours())
		}
	})
}

func checkClocks(t *testing.T, e *Engine, closed map[int64]bool) {
	t.Helper()
	grace := e.cfg.Grace.Milliseconds()
	for h := range e.open {
		if closed[h] {
			t.Fatalf("hour %d reopened after it closed", h)
		}
		r := e.open[h]
		if len(r.set) == 0 {
			t.Fatalf("open hour %d has no reporters", h)
		}
		pending := 0
		for exp := range r.set {
			if c, ok := e.clocks[exp]; !ok || c < hourEnd(h)+grace {
				pending++
			}
		}
		if pending != r.pending || pending == 0 {
			t.Fatalf("hour %d: pending %d, recounted %d", h, r.pending, pending)
		}
	}
	for h := range e.done {
		closed[h] = true
	}
	per := map[netip.Addr]int{}
	for k := range e.clocks {
		per[k.exp]++
	}
	if !maps.Equal(per, e.perAddr) {
		t.Fatalf("clocks per address %v, counted %v", per, e.perAddr)
	}
}

// TestClockLead: once the wall clock is known, a spoofed exporter's
// plausible future times cannot run its clock more than a minute ahead,
// so its own hours do not close before their end plus Grace less that.
func TestClockLead(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	e.Tick(t0.Add(50 * time.Minute))
	a := one(goodExp, "198.51.100.9", "10.0.0.4", t0.Add(49*time.Minute))
	ahead := one(goodExp, "198.51.100.9", "10.0.0.5", t0.Add(59*time.Minute)) // 9 min ahead: trusted, counted
	e.Observe(&a)
	e.Observe(&ahead)
	if got, want := e.clocks[clockKey{exp: goodExp}], t0.Add(51*time.Minute).UnixMilli(); got != want {
		t.Fatalf("clock %d, want the wall clock plus a minute %d", got, want)
	}
	if e.OpenHours() != 1 || e.Counters().Late != 0 {
		t.Fatalf("open %d, counters %+v", e.OpenHours(), e.Counters())
	}
}
