package cluster_test

import (
	"testing"

	"github.com/vedette/vedette/internal/cluster"
)

// FuzzDecode: any internal message value either fails to decode or
// decodes to something that encodes and decodes to itself; nothing
// panics.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"Key":"k1","Kind":1,"Time":"2026-10-01T10:00:00Z","Tenant":"t","SourceIP":"203.0.113.7"}`))
	f.Add([]byte(`{"own":"10.0.0.4","record":{"End":"2026-10-01T10:00:00Z","Src":"10.0.0.4","Dst":"91.198.174.192","DstPort":22}}`))
	f.Add([]byte(`{"own":"","record":{}}`))
	f.Add([]byte(`{"SourceIP":"not an address"}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if e, err := cluster.DecodeEvent(b); err == nil {
			v, err := cluster.EncodeEvent(e)
			if err != nil {
				t.Fatalf("decoded event does not encode: %v", err)
			}
			again, err := cluster.DecodeEvent(v)
			if err != nil || again.Key != e.Key || !again.Time.Equal(e.Time) || again.SourceIP != e.SourceIP {
				t.Fatalf("event changed through a second message: %+v vs %+v (%v)", again, e, err)
			}
		}
		if fl, err := cluster.DecodeFlow(b); err == nil {
			v, err := cluster.EncodeFlow(&fl)
			if err != nil {
				t.Fatalf("decoded flow does not encode: %v", err)
			}
			again, err := cluster.DecodeFlow(v)
			if err != nil || again.Own != fl.Own || again.Record.Src != fl.Record.Src || !again.Record.End.Equal(fl.Record.End) {
				t.Fatalf("flow changed through a second message: %+v vs %+v (%v)", again, fl, err)
			}
		}
	})
}
