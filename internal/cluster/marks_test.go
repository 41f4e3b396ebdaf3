package cluster_test

import (
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/vedette/vedette/internal/cluster"
)

// TestMarksDropReplays: one detect partition receives the messages of two
// source partitions; the ingest instance owning source partition 0 dies
// after producing offsets 10..13 with offset 10 committed, and its
// successor (after the marks were saved and restored, as a partition
// move does) re-produces 11..14 interleaved with new messages of
// partition 1. Every position is applied exactly once; messages without
// a position (UDP) always are.
func TestMarksDropReplays(t *testing.T) {
	pos := func(p int32, off int64, i int) *cluster.Position {
		return &cluster.Position{Topic: "flowlogs", Partition: p, Offset: off, Index: i}
	}
	m := cluster.Marks{}
	applied := map[cluster.Position]int{}
	feed := func(ps ...*cluster.Position) (dropped int) {
		for _, p := range ps {
			if !m.Apply(p) {
				dropped++
				continue
			}
			if p != nil {
				applied[*p]++
			}
		}
		return dropped
	}
	// Offset 12 yields two messages (two flows or two sides) for this partition.
	first := []*cluster.Position{pos(0, 10, 0), pos(1, 5, 3), pos(0, 11, 1), pos(0, 12, 0), pos(0, 12, 3), nil, pos(0, 13, 2)}
	if d := feed(first...); d != 0 {
		t.Fatalf("first delivery dropped %d messages", d)
	}
	saved, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	m = cluster.Marks{}
	if err := json.Unmarshal(saved, &m); err != nil {
		t.Fatal(err)
	}
	replay := []*cluster.Position{pos(0, 11, 1), pos(1, 6, 0), pos(0, 12, 0), nil, pos(0, 12, 3), pos(0, 13, 2), pos(0, 14, 0), pos(1, 5, 3)}
	if d := feed(replay...); d != 5 {
		t.Errorf("replay dropped %d messages, want 5 (11/1, 12/0, 12/3, 13/2 of partition 0, 5/3 of partition 1)", d)
	}
	for p, n := range applied {
		if n != 1 {
			t.Errorf("%+v applied %d times", p, n)
		}
	}
	if len(applied) != 8 || len(m) != 2 {
		t.Errorf("applied %d positions with %d marks, want 8 positions and one mark per source partition", len(applied), len(m))
	}
}

// TestFlowWithoutPosition: a flow message of an ingest that did not
// write positions still decodes, with no position.
func TestFlowWithoutPosition(t *testing.T) {
	f, err := cluster.DecodeFlow([]byte(`{"own":"10.0.0.4","record":{"src":"10.0.0.4","dst":"10.0.0.9"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if f.Pos != nil || f.Own != netip.MustParseAddr("10.0.0.4") {
		t.Errorf("decoded %+v", f)
	}
}
