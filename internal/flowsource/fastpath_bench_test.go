package flowsource

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/flow"
)

// BenchmarkDecode decodes real data packets, after their templates, with
// the fast path and with goflow2 alone. The external cases (skipped when
// the data is absent) are a packet carrying its templates beside its data
// (softflowd, every one of its refreshes) and IPFIX with variable-length
// fields (YAF).
func BenchmarkDecode(b *testing.B) {
	const local = "testdata/logstash"
	cases := []struct{ name, dir, tpl, data string }{
		{"ipfix-mikrotik", local, "ipfix_test_mikrotik_tpl.dat", "ipfix_test_mikrotik_data258.dat"},
		{"nf9-cisco-asa", local, "netflow9_test_cisco_asa_1_tpl.dat", "netflow9_test_cisco_asa_1_data.dat"},
		{"nf5", local, "", "netflow5.dat"},
		{"nf9-softflowd-tpl+data", "", "netflow9_test_softflowd_tpl_data.dat", "netflow9_test_softflowd_tpl_data.dat"},
		{"ipfix-yaf-varlen", "", "ipfix_test_yaf_tpl45841.dat", "ipfix_test_yaf_data45841.dat"},
	}
	paths := []struct {
		name string
		dec  func(Config) *Decoder
	}{{"fast", NewDecoder}, {"goflow2", NewGoflow2Decoder}}
	for _, c := range cases {
		for _, p := range paths {
			b.Run(c.name+"/"+p.name, func(b *testing.B) {
				dir := c.dir
				if dir == "" {
					dir = externalDir(b, "logstash-codec-netflow")
				}
				benchDecode(b, p.dec(DefaultConfig()), dir, c.tpl, c.data)
			})
		}
	}
}

func benchDecode(b *testing.B, d *Decoder, dir, tpl, data string) {
	from := netip.MustParseAddrPort("192.0.2.10:4739")
	if tpl != "" {
		d.Decode(from, read(b, dir, tpl), nil)
	}
	pkt := read(b, dir, data)
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

// BenchmarkDecodeRatio decodes the same packets with the fast path and
// with goflow2 alone in every iteration, one after the other, and reports
// how many times faster the fast path is (x-goflow2): on a shared machine
// the ratio measured side by side holds where times alone do not. The
// steady-stream case is the whole coverage stream (coverage_test.go), its
// template refreshes included.
func BenchmarkDecodeRatio(b *testing.B) {
	const local = "testdata/logstash"
	cases := []struct{ name, dir, tpl, data string }{
		{"ipfix-mikrotik", local, "ipfix_test_mikrotik_tpl.dat", "ipfix_test_mikrotik_data258.dat"},
		{"nf9-cisco-asa", local, "netflow9_test_cisco_asa_1_tpl.dat", "netflow9_test_cisco_asa_1_data.dat"},
		{"nf5", local, "", "netflow5.dat"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var pkts []packet
			if c.tpl != "" {
				pkts = append(pkts, packet{c.tpl, exp, read(b, c.dir, c.tpl)})
			}
			data := packet{c.data, exp, read(b, c.dir, c.data)}
			ratioLoop(b, pkts, slices.Repeat([]packet{data}, 16))
		})
	}
	b.Run("steady-stream", func(b *testing.B) {
		warm, steady := steadyStream(captures(b))
		ratioLoop(b, warm, steady)
	})
}

// ratioLoop warms a fast and a goflow2-only decoder with warm, then times
// each on pkts in every iteration.
func ratioLoop(b *testing.B, warm, pkts []packet) {
	fast, ref := NewDecoder(DefaultConfig()), NewGoflow2Decoder(DefaultConfig())
	for _, p := range warm {
		fast.Decode(p.from, p.data, nil)
		ref.Decode(p.from, p.data, nil)
	}
	var recs []flow.Record
	var tFast, tRef time.Duration
	flows := 0
	for b.Loop() {
		t0 := time.Now()
		for _, p := range pkts {
			recs, _ = fast.Decode(p.from, p.data, recs[:0])
			flows += len(recs)
		}
		t1 := time.Now()
		for _, p := range pkts {
			recs, _ = ref.Decode(p.from, p.data, recs[:0])
		}
		tFast, tRef = tFast+t1.Sub(t0), tRef+time.Since(t1)
	}
	b.ReportMetric(tRef.Seconds()/tFast.Seconds(), "x-goflow2")
	b.ReportMetric(float64(flows)/tFast.Seconds(), "fast-flows/s")
}
