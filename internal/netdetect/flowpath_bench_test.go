package netdetect

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/netsampler/goflow2/v2/decoders/netflow"

	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowsource"
)

const benchDir = "../flowsource/testdata/logstash/"

// The flow path benchmarks replay a MikroTik IPFIX packet (28 flows of 51
// bytes, source address at byte 51 and destination at byte 55 of the
// first) with its addresses rewritten: over benchPackets packets, every
// flow has a new destination (70k) and the sources cycle through 10k, so
// the open hour holds 80k hosts, as a busy network's would.
const (
	benchSources = 10_000
	benchDests   = 70_000
	benchFlows   = 28
	benchStride  = 51
	benchSrcOff  = 51
	benchDstOff  = 55
)

// benchStream returns the template packet and the rewritten data packets.
func benchStream(b *testing.B) (tpl []byte, pkts [][]byte) {
	b.Helper()
	tpl, err1 := os.ReadFile(benchDir + "ipfix_test_mikrotik_tpl.dat")
	data, err2 := os.ReadFile(benchDir + "ipfix_test_mikrotik_data258.dat")
	if err1 != nil || err2 != nil {
		b.Fatal(err1, err2)
	}
	for flowN := 0; flowN < benchDests; flowN += benchFlows {
		p := bytes.Clone(data)
		for i := range benchFlows {
			n := uint32(flowN + i)
			binary.BigEndian.PutUint32(p[benchSrcOff+i*benchStride:], 0x0a010000+(n*37)%benchSources) // 10.1.0.0 + 10k
			binary.BigEndian.PutUint32(p[benchDstOff+i*benchStride:], 0xac100000+n)                   // 172.16.0.0 + 70k
		}
		pkts = append(pkts, p)
	}
	return tpl, pkts
}

// benchEngine is an Engine that monitors every address.
func benchEngine(b *testing.B) *Engine {
	b.Helper()
	cfg := DefaultConfig()
	cfg.MonitorPrefixes = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
	e, err := New(cfg, Deps{})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

var benchExporter = netip.MustParseAddrPort("192.0.2.10:4739")

// flowPath decodes packets into an Engine: the path BenchmarkFlowPath times.
type flowPath struct {
	dec  *flowsource.Decoder
	e    *Engine
	recs []flow.Record
}

func newFlowPath(b *testing.B, dec *flowsource.Decoder, tpl []byte) *flowPath {
	b.Helper()
	if _, err := dec.Decode(benchExporter, tpl, nil); err != nil {
		b.Fatal(err)
	}
	return &flowPath{dec: dec, e: benchEngine(b)}
}

func (p *flowPath) packet(b *testing.B, data []byte) {
	var err error
	if p.recs, err = p.dec.Decode(benchExporter, data, p.recs[:0]); err != nil || len(p.recs) != benchFlows {
		b.Fatal(len(p.recs), err)
	}
	for i := range p.recs {
		p.e.Observe(&p.recs[i])
	}
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
	tpl, pkts := benchStream(b)
	p := newFlowPath(b, dec, tpl)
	for _, data := range pkts { // the hour's 80k hosts, as in steady state
		p.packet(b, data)
	}
	b.SetBytes(int64(len(pkts[0])))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p.packet(b, pkts[i%len(pkts)])
		i++
	}
	reportFlows(b, benchFlows)
}

// reportFlows adds flows per packet and per second to a benchmark.
func reportFlows(b *testing.B, perOp int) {
	b.ReportMetric(float64(perOp), "flows/op")
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(perOp)*float64(b.N)/s, "flows/s")
	}
}

// goflow2Decoder is goflow2's decoder alone, the reference.
type goflow2Decoder struct {
	ts    netflow.NetFlowTemplateSystem
	nf9   netflow.NFv9Packet
	ipfix netflow.IPFIXPacket
}

func newGoflow2Decoder(b *testing.B, tpl []byte) *goflow2Decoder {
	b.Helper()
	g := &goflow2Decoder{ts: netflow.CreateTemplateSystem()}
	if err := netflow.DecodeMessageVersion(bytes.NewBuffer(tpl), g.ts, &g.nf9, &g.ipfix); err != nil {
		b.Fatal(err)
	}
	return g
}

func (g *goflow2Decoder) packet(b *testing.B, data []byte) {
	g.ipfix = netflow.IPFIXPacket{}
	if err := netflow.DecodeMessageVersion(bytes.NewBuffer(data), g.ts, &g.nf9, &g.ipfix); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkGoflow2Decode is goflow2's decoder alone on the same packets.
func BenchmarkGoflow2Decode(b *testing.B) {
	tpl, pkts := benchStream(b)
	g := newGoflow2Decoder(b, tpl)
	b.SetBytes(int64(len(pkts[0])))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		g.packet(b, pkts[i%len(pkts)])
		i++
	}
	flows := 0
	for _, s := range g.ipfix.FlowSets {
		if ds, ok := s.(netflow.DataFlowSet); ok {
			flows += len(ds.Records)
		}
	}
	reportFlows(b, flows)
}

// BenchmarkFlowPathRatio alternates goflow2's decoder alone and the whole
// fast path on the same packets, ratioBatch at a time, and reports the
// path's speed as a multiple of the decoder's (x-of-goflow2): both see the
// same machine noise. goflow2's garbage is collected as it comes, during
// either turn, and each collection marks the Engine's state: the path
// pays for collections it does not cause, which BenchmarkFlowPath, where
// nothing allocates, does not. x-of-goflow2-cpu is the same ratio of the
// thread's CPU time (Linux), which leaves out the waits for a core and
// the collector's background workers.
func BenchmarkFlowPathRatio(b *testing.B) {
	tpl, pkts := benchStream(b)
	g := newGoflow2Decoder(b, tpl)
	p := newFlowPath(b, flowsource.NewDecoder(flowsource.DefaultConfig()), tpl)
	for _, data := range pkts {
		p.packet(b, data)
	}
	runtime.LockOSThread() // threadCPU measures this goroutine's thread
	defer runtime.UnlockOSThread()
	var ref, path, refCPU, pathCPU time.Duration
	i := 0
	for b.Loop() {
		batch := pkts[i%len(pkts):][:min(ratioBatch, len(pkts)-i%len(pkts))]
		t0, c0 := time.Now(), threadCPU()
		for _, data := range batch {
			g.packet(b, data)
		}
		t1, c1 := time.Now(), threadCPU()
		for _, data := range batch {
			p.packet(b, data)
		}
		ref, path = ref+t1.Sub(t0), path+time.Since(t1)
		refCPU, pathCPU = refCPU+c1-c0, pathCPU+threadCPU()-c1
		i += len(batch)
	}
	b.ReportMetric(ref.Seconds()/path.Seconds(), "x-of-goflow2")
	if pathCPU > 0 {
		b.ReportMetric(refCPU.Seconds()/pathCPU.Seconds(), "x-of-goflow2-cpu")
	}
	b.ReportMetric(float64(i*benchFlows)/path.Seconds(), "path-flows/s")
}

// ratioBatch is how many packets BenchmarkFlowPathRatio gives each side in
// turn: the whole stream, about 15 ms of the path. goflow2 allocates 23 KB
// per packet, so each of its turns sweeps the path's tables out of the
// core's cache; over short turns the path would mostly measure refilling
// them, which a collector decoding on the fast path alone does not do.
const ratioBatch = benchDests / benchFlows
