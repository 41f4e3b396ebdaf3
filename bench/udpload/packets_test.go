package main

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowsource"
)

// The harness's packets are what the collector decodes: every record of
// each data packet, with the times, ports and addresses sent, in both
// protocols.
func TestPacketsDecode(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second) // NetFlow v9 headers carry whole seconds
	for _, v9 := range []bool{false, true} {
		dec := flowsource.NewDecoder(flowsource.DefaultConfig())
		from := netip.MustParseAddrPort("127.0.0.1:40000")
		e := newExporter(v9, 1)
		if recs, err := dec.Decode(from, slices.Clone(e.template(now)), nil); err != nil || len(recs) != 0 {
			t.Fatalf("v9 %v: template: %v, %d records", v9, err, len(recs))
		}
		var recs []flow.Record
		for range 3 {
			var err error
			if recs, err = dec.Decode(from, slices.Clone(e.data(now, 30)), recs); err != nil {
				t.Fatalf("v9 %v: %v", v9, err)
			}
		}
		if len(recs) != 90 {
			t.Fatalf("v9 %v: %d records decoded, want 90 (counters %+v)", v9, len(recs), dec.Counters())
		}
		for _, r := range recs {
			if !r.End.Equal(now) || r.End.Sub(r.Start) != 2*time.Second || !slices.Contains(dports, r.DstPort) ||
				r.Proto != 6 || !r.Src.Is4() || r.Src.As4()[0] != 198 || r.Packets == 0 {
				t.Fatalf("v9 %v: record %+v", v9, r)
			}
		}
		if c := dec.Counters(); c.Malformed+c.Truncated+c.UnknownTemplate != 0 {
			t.Errorf("v9 %v: decode errors %+v", v9, c)
		}
	}
}
