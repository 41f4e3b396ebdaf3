package flowsource

import (
	"net/netip"
	"testing"

	"github.com/vedette/vedette/internal/flow"
)

// BenchmarkDecode decodes real data packets, after their templates, with
// the fast path and with goflow2 alone.
func BenchmarkDecode(b *testing.B) {
	cases := []struct{ name, tpl, data string }{
		{"ipfix-mikrotik", "ipfix_test_mikrotik_tpl.dat", "ipfix_test_mikrotik_data258.dat"},
		{"nf9-cisco-asa", "netflow9_test_cisco_asa_1_tpl.dat", "netflow9_test_cisco_asa_1_data.dat"},
		{"nf5", "", "netflow5.dat"},
	}
	paths := []struct {
		name string
		dec  func(Config) *Decoder
	}{{"fast", NewDecoder}, {"goflow2", NewGoflow2Decoder}}
	for _, c := range cases {
		for _, p := range paths {
			b.Run(c.name+"/"+p.name, func(b *testing.B) {
				benchDecode(b, p.dec(DefaultConfig()), c.tpl, c.data)
			})
		}
	}
}

func benchDecode(b *testing.B, d *Decoder, tpl, data string) {
	from := netip.MustParseAddrPort("192.0.2.10:4739")
	if tpl != "" {
		d.Decode(from, read(b, "testdata/logstash", tpl), nil)
	}
	pkt := read(b, "testdata/logstash", data)
	var recs []flow.Record
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		recs, _ = d.Decode(from, pkt, recs[:0])
	}
	if len(recs) == 0 {
		b.Fatal("no records")
	}
	b.ReportMetric(float64(len(recs)), "flows/op")
	b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "flows/s")
}
