package runner

import (
	"net/netip"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/cluster"
	"github.com/vedette/vedette/internal/flow"
)

// TestFlowPositionStableAcrossMonitoredSides: an ingest killed between
// producing and committing re-produces the record after a restart; if
// the inventory changed meanwhile so that the flow's source became a
// monitored host, the destination's message must keep its position, or
// its detect partition takes the re-produced message for a new one and
// counts the flow twice.
func TestFlowPositionStableAcrossMonitoredSides(t *testing.T) {
	env := testEnv()
	src, dst := netip.MustParseAddr("198.51.100.20"), netip.MustParseAddr("10.0.0.4")
	end := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	rs := []flow.Record{{Start: end, End: end, Src: src, Dst: dst, DstPort: 22, Source: "kafka:nsg/0@41", Index: 1}}
	at := &cluster.Position{Topic: "nsg", Partition: 0, Offset: 41}
	posOf := func(monitored cluster.Monitored) *cluster.Position {
		in := &ingestRole{env: env, cfg: env.cfg.Cluster, monitored: monitored, budget: newBudget(rejectsPerMinute)}
		recs, err := in.flowRecords(env.newGate(), rs, at, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			f, err := cluster.DecodeFlow(r.Value)
			if err != nil {
				t.Fatal(err)
			}
			if f.Own == dst {
				return f.Pos
			}
		}
		t.Fatalf("no message for the monitored destination among %d", len(recs))
		return nil
	}
	before := posOf(func(ip netip.Addr, _ time.Time) bool { return ip == dst })
	after := posOf(func(ip netip.Addr, _ time.Time) bool { return ip == dst || ip == src })
	if *before != *after {
		t.Fatalf("destination's position moved from %+v to %+v", *before, *after)
	}
	m := cluster.Marks{}
	if !m.Apply(before) || m.Apply(after) {
		t.Fatal("the re-produced message was applied again")
	}
}
