package flowsource

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/flow"
)

// BenchmarkDecode decodes real data packets, after their templates, with
// the fast path and with goflow2 alone.
func BenchmarkDecode(b *testing.B) {
	paths := []struct {
		name string
		dec  func(Config) *Decoder
	}{{"fast", NewDecoder}, {"goflow2", NewGoflow2Decoder}}
	for _, c := range decodeCases {
		for _, p := range paths {
			b.Run(c.name+"/"+p.name, func(b *testing.B) {
				benchDecode(b, p.dec(DefaultConfig()), c.where(b), c.tpl, c.data)
			})
		}
	}
}

// decodeCases are the packets of BenchmarkDecode and BenchmarkDecodeRatio,
// data packets after their templates. The external cases (skipped when the
// data is absent) are a packet carrying its templates beside its data
// (softflowd, every one of its refreshes) and IPFIX with variable-length
// fields (YAF).
var decodeCases = []decodeCase{
	{"ipfix-mikrotik", "testdata/logstash", "ipfix_test_mikrotik_tpl.dat", "ipfix_test_mikrotik_data258.dat"},
	{"nf9-cisco-asa", "testdata/logstash", "netflow9_test_cisco_asa_1_tpl.dat", "netflow9_test_cisco_asa_1_data.dat"},
	{"nf5", "testdata/logstash", "", "netflow5.dat"},
	{"nf9-softflowd-tpl+data", "", "netflow9_test_softflowd_tpl_data.dat", "netflow9_test_softflowd_tpl_data.dat"},
	{"ipfix-yaf-varlen", "", "ipfix_test_yaf_tpl45841.dat", "ipfix_test_yaf_data45841.dat"},
}

type decodeCase struct{ name, dir, tpl, data string }

// where is the case's directory, the external captures when dir is empty.
func (c decodeCase) where(b *testing.B) string {
	if c.dir == "" {
		return externalDir(b, "logstash-codec-netflow")
	}
	return c.dir
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
// how many times faster the fast path is (x-goflow2, median over
// iterations): on a shared machine the ratio measured side by side holds
// where times alone do not. The
// steady-stream case is the whole coverage stream (coverage_test.go), its
// template refreshes included.
func BenchmarkDecodeRatio(b *testing.B) {
	for _, c := range decodeCases {
		b.Run(c.name, func(b *testing.B) {
			dir := c.where(b)
			var warm []packet
			if c.tpl != "" {
				warm = append(warm, packet{c.tpl, exp, read(b, dir, c.tpl)})
			}
			data := packet{c.data, exp, read(b, dir, c.data)}
			ratioLoop(b, warm, slices.Repeat([]packet{data}, 16))
		})
	}
	b.Run("steady-stream", func(b *testing.B) {
		warm, steady := steadyStream(captures(b))
		ratioLoop(b, warm, steady)
	})
}

// ratioLoop warms a fast and a goflow2-only decoder with warm, then times
// each on pkts in every iteration. x-goflow2 is the median over iterations
// of goflow2's time over the fast path's: a descheduling by another
// process spoils one iteration, not the figure.
func ratioLoop(b *testing.B, warm, pkts []packet) {
	fast, ref := NewDecoder(DefaultConfig()), NewGoflow2Decoder(DefaultConfig())
	for _, p := range warm {
		fast.Decode(p.from, p.data, nil)
		ref.Decode(p.from, p.data, nil)
	}
	var recs []flow.Record
	var ratios []float64
	var tFast time.Duration
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
		ratios = append(ratios, float64(time.Since(t1))/float64(max(t1.Sub(t0), 1)))
		tFast += t1.Sub(t0)
	}
	slices.Sort(ratios)
	b.ReportMetric(ratios[len(ratios)/2], "x-goflow2")
	b.ReportMetric(float64(flows)/tFast.Seconds(), "fast-flows/s")
}
