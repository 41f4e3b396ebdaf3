package netdetect

import (
	"bytes"
	"net/netip"
	"os"
	"testing"

	"github.com/netsampler/goflow2/v2/decoders/netflow"

	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowsource"
)

const benchDir = "../flowsource/testdata/logstash/"

func benchPackets(b *testing.B) (tpl, data []byte) {
	b.Helper()
	tpl, err1 := os.ReadFile(benchDir + "ipfix_test_mikrotik_tpl.dat")
	data, err2 := os.ReadFile(benchDir + "ipfix_test_mikrotik_data258.dat")
	if err1 != nil || err2 != nil {
		b.Fatal(err1, err2)
	}
	return tpl, data
}

// BenchmarkFlowPath measures a UDP payload through the decoder's fast path
// (a compiled template decoding straight into flow.Record), and the
// detection state update, every address monitored.
func BenchmarkFlowPath(b *testing.B) {
	benchFlowPath(b, flowsource.NewDecoder(flowsource.DefaultConfig()))
}

// BenchmarkFlowPathGoflow2 is the same path with goflow2 decoding the
// packet, as the decoder falls back to for anything unusual.
func BenchmarkFlowPathGoflow2(b *testing.B) {
	benchFlowPath(b, flowsource.NewGoflow2Decoder(flowsource.DefaultConfig()))
}

func benchFlowPath(b *testing.B, dec *flowsource.Decoder) {
	tpl, data := benchPackets(b)
	exp := netip.MustParseAddrPort("192.0.2.10:4739")
	if _, err := dec.Decode(exp, tpl, nil); err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.MonitorPrefixes = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
	e, err := New(cfg, Deps{})
	if err != nil {
		b.Fatal(err)
	}
	var recs []flow.Record
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		recs, _ = dec.Decode(exp, data, recs[:0])
		for i := range recs {
			e.Observe(&recs[i])
		}
	}
	reportFlows(b, len(recs))
}

// reportFlows adds flows per packet and per second to a benchmark.
func reportFlows(b *testing.B, perOp int) {
	b.ReportMetric(float64(perOp), "flows/op")
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(perOp)*float64(b.N)/s, "flows/s")
	}
}

// BenchmarkGoflow2Decode is goflow2's decoder alone on the same packet.
func BenchmarkGoflow2Decode(b *testing.B) {
	tpl, data := benchPackets(b)
	ts := netflow.CreateTemplateSystem()
	var nf9 netflow.NFv9Packet
	var ipfix netflow.IPFIXPacket
	if err := netflow.DecodeMessageVersion(bytes.NewBuffer(tpl), ts, &nf9, &ipfix); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ipfix = netflow.IPFIXPacket{}
		if err := netflow.DecodeMessageVersion(bytes.NewBuffer(data), ts, &nf9, &ipfix); err != nil {
			b.Fatal(err)
		}
	}
	flows := 0
	for _, s := range ipfix.FlowSets {
		if ds, ok := s.(netflow.DataFlowSet); ok {
			flows += len(ds.Records)
		}
	}
	reportFlows(b, flows)
}
