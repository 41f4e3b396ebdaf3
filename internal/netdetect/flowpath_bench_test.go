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

// BenchmarkFlowPath measures a UDP payload through goflow2's decoder, the
// conversion to flow.Record and the detection state update, every address
// monitored.
func BenchmarkFlowPath(b *testing.B) {
	tpl, data := benchPackets(b)
	exp := netip.MustParseAddrPort("192.0.2.10:4739")
	dec := flowsource.NewDecoder(flowsource.DefaultConfig())
	dec.Decode(exp, tpl, nil)
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
	b.ReportMetric(float64(len(recs)), "flows/op")
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
}
