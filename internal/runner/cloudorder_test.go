package runner

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowlog"
	"github.com/vedette/vedette/internal/gen"
)

// TestFlowOrderReleasesBatchOrder: generated flow logs read as two
// streams, each disordered within the lateness and cut into reads, come
// out of the flow buffer in exactly the order detect sorts one batch;
// a record older than the watermark is handed back as late.
func TestFlowOrderReleasesBatchOrder(t *testing.T) {
	dir := t.TempDir()
	nc := gen.DefaultNetworkConfig()
	nc.VMs, nc.Days = 20, 4
	if _, err := gen.GenerateNetwork(dir, nc); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var recs []flow.Record
	for _, f := range files {
		if _, err := flowlog.ReadFile(f, func(r flow.Record) { recs = append(recs, r) }, nil); err != nil {
			t.Fatal(err)
		}
	}
	want := slices.Clone(recs)
	slices.SortFunc(want, compareFlows)
	const lateness = 2 * time.Minute
	rng := rand.New(rand.NewPCG(3, 5))
	// Arrival: event time plus up to a minute, per stream in arrival order.
	type arrival struct {
		at time.Time
		r  flow.Record
	}
	streams := [2][]arrival{}
	for _, r := range recs {
		s := rng.IntN(2)
		streams[s] = append(streams[s], arrival{r.Time().Add(time.Duration(rng.Int64N(int64(time.Minute)))), r})
	}
	o := newFlowOrder(lateness)
	o.Open("a")
	o.Open("b")
	var got []flow.Record
	take := func(hs []heldFlow) {
		for _, h := range hs {
			got = append(got, h.rec)
		}
	}
	for _, s := range streams {
		slices.SortStableFunc(s, func(x, y arrival) int { return x.at.Compare(y.at) })
	}
	pc := &pendingChunk{}
	for i, j := 0, 0; i < len(streams[0]) || j < len(streams[1]); {
		n := 1 + rng.IntN(40) // one read of one stream, then the other's
		for ; n > 0 && i < len(streams[0]); n, i = n-1, i+1 {
			if !o.Push("a", streams[0][i].r, pc) {
				t.Fatalf("record %d of a late", i)
			}
		}
		take(o.Release(nil))
		for n = 1 + rng.IntN(40); n > 0 && j < len(streams[1]); n, j = n-1, j+1 {
			if !o.Push("b", streams[1][j].r, pc) {
				t.Fatalf("record %d of b late", j)
			}
		}
		take(o.Release(nil))
	}
	if o.Len() == 0 {
		t.Fatal("nothing held before the end")
	}
	take(o.Flush(nil))
	if len(got) != len(want) || len(want) < 1000 {
		t.Fatalf("released %d of %d", len(got), len(want))
	}
	for i := range want {
		if compareFlows(got[i], want[i]) != 0 {
			t.Fatalf("record %d: released %v, batch order %v", i, got[i].Time(), want[i].Time())
		}
	}
	if o.Push("a", want[0], pc) {
		t.Error("a record before the watermark was held")
	}
}
