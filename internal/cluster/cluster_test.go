package cluster_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/cluster"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowlog"
	"github.com/vedette/vedette/internal/gen"
	"github.com/vedette/vedette/internal/normalize"
)

type sink struct{ events []*event.Event }

func (s *sink) Event(e *event.Event)         { s.events = append(s.events, e) }
func (s *sink) Reject(r normalize.Rejection) {}

// TestCodecRoundTrips: every generated sign-in, ARM event and flow tuple
// reads back from its internal message exactly as normalised.
func TestCodecRoundTrips(t *testing.T) {
	dir := t.TempDir()
	gc := gen.DefaultConfig()
	gc.Users, gc.Days = 20, 10
	if _, err := gen.Generate(dir, gc); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"signins.jsonl", "activity.jsonl"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var s sink
		if _, err := normalize.Read(name, bytes.NewReader(data), &s); err != nil {
			t.Fatal(err)
		}
		if len(s.events) < 100 {
			t.Fatalf("%s: %d events", name, len(s.events))
		}
		for _, e := range s.events {
			v, err := cluster.EncodeEvent(e)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cluster.DecodeEvent(v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(e, got, gocmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Fatalf("%s: event changed through its message (-read +decoded):\n%s", name, diff)
			}
			if string(cluster.ActivityKey(got)) != e.Tenant {
				t.Fatalf("key %q, tenant %q", cluster.ActivityKey(got), e.Tenant)
			}
		}
	}
	nd := t.TempDir()
	nc := gen.DefaultNetworkConfig()
	nc.Days, nc.VMs = 4, 20
	if _, err := gen.GenerateNetwork(nd, nc); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(nd, "vnetflowlogs-*.json"))
	var n int
	_, err := flowlog.ReadFile(files[0], func(r flow.Record) {
		n++
		for _, own := range cluster.FlowSides(&r, func(ip netip.Addr, _ time.Time) bool { return !event.IsPublicIP(ip) }) {
			v, err := cluster.EncodeFlow(&cluster.Flow{Own: own, Record: r})
			if err != nil {
				t.Fatal(err)
			}
			got, err := cluster.DecodeFlow(v)
			if err != nil || got.Own != own || !gocmp.Equal(got.Record, r, gocmp.Comparer(func(a, b netip.Addr) bool { return a == b })) {
				t.Fatalf("flow changed through its message: %+v, %v; want %+v", got, err, r)
			}
		}
	}, nil)
	if err != nil || n < 100 {
		t.Fatalf("%d tuples, %v", n, err)
	}
}

func TestFlowSides(t *testing.T) {
	priv := func(ip netip.Addr, _ time.Time) bool { return !event.IsPublicIP(ip) }
	a, b, pub := netip.MustParseAddr("10.0.0.4"), netip.MustParseAddr("10.0.1.9"), netip.MustParseAddr("91.198.174.192")
	for _, tt := range []struct {
		src, dst netip.Addr
		want     []netip.Addr
	}{
		{a, b, []netip.Addr{a, b}},                          // east-west: once per side
		{pub, a, []netip.Addr{a}},                           // incoming from the Internet
		{a, pub, []netip.Addr{a}},                           // outgoing
		{a, a, []netip.Addr{a}},                             // to itself: once
		{pub, netip.MustParseAddr("20.50.2.1"), nil},        // no monitored side
		{netip.AddrFrom16(a.As16()), b, []netip.Addr{a, b}}, // v4-mapped source
	} {
		r := flow.Record{Src: tt.src, Dst: tt.dst, End: time.Unix(0, 0)}
		if got := cluster.FlowSides(&r, priv); !slices.Equal(got, tt.want) {
			t.Errorf("%v → %v: sides %v, want %v", tt.src, tt.dst, got, tt.want)
		}
	}
	if _, err := cluster.DecodeFlow([]byte(`{"own":"","record":{}}`)); err == nil {
		t.Error("a flow message naming no side decoded")
	}
}

type item struct {
	At  time.Time `json:"at"`
	Key string    `json:"key"`
}

var order = cluster.Order[item]{
	Time:    func(x *item) time.Time { return x.At },
	Compare: func(a, b *item) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Key, b.Key)) },
}

// TestHoldOrdersAndSurvivesMove: items disordered within the lateness
// come out in (time, key) order, as a sorted batch; a Hold saved midway
// (its State through JSON, as the partition's state row) and restored
// into a new Hold releases exactly what the first would have; items older
// than what was released are late.
func TestHoldOrdersAndSurvivesMove(t *testing.T) {
	const lateness = 5 * time.Minute
	rng := rand.New(rand.NewPCG(3, 4))
	t0 := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	var items []item
	for i := range 2000 {
		at := t0.Add(time.Duration(i) * 7 * time.Second).Truncate(10 * time.Second)
		items = append(items, item{At: at, Key: string(rune('a' + rng.IntN(26)))})
	}
	sorted := slices.Clone(items)
	slices.SortFunc(sorted, func(a, b item) int { return order.Compare(&a, &b) })
	// Arrival: each item delayed by up to 2 minutes.
	arrival := slices.Clone(items)
	delay := map[int]time.Duration{}
	for i := range arrival {
		delay[i] = time.Duration(rng.Int64N(int64(2 * time.Minute)))
	}
	idx := make([]int, len(arrival))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return arrival[a].At.Add(delay[a]).Compare(arrival[b].At.Add(delay[b])) })

	run := func(moveAt int) []item {
		h := cluster.NewHold(lateness, order)
		var out []item
		for n, i := range idx {
			if n == moveAt {
				data, err := json.Marshal(h.State())
				if err != nil {
					t.Fatal(err)
				}
				var st cluster.State[item]
				if err := json.Unmarshal(data, &st); err != nil {
					t.Fatal(err)
				}
				h = cluster.NewHold(lateness, order)
				h.Restore(st)
			}
			if !h.Push(arrival[i]) {
				t.Fatalf("item %d late", i)
			}
			out = h.Release(out)
		}
		return h.Flush(out)
	}
	for _, moveAt := range []int{-1, 1, 777, 1999} {
		if diff := gocmp.Diff(sorted, run(moveAt)); diff != "" {
			t.Fatalf("moved at %d: released order differs from the sorted batch:\n%s", moveAt, diff)
		}
	}
	h := cluster.NewHold(lateness, order)
	h.Push(item{At: t0.Add(time.Hour)})
	h.Release(nil)
	if h.Push(item{At: t0}) || h.Late() != 1 || h.Len() != 1 {
		t.Errorf("an item an hour older than released: late %d, held %d", h.Late(), h.Len())
	}
}
