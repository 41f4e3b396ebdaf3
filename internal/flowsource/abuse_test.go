package flowsource

import (
	"context"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/flow"
)

// maxTemplates returns IPFIX packets defining templates 256..256+n-1,
// each with fields distinct (enterprise-less) fields of 4 bytes: the
// largest template state one exporter can ask for.
func maxTemplates(n, fields int) [][]byte {
	var pkts [][]byte
	var sets [][]byte
	size := ipfixHeader
	for id := range n {
		words := make([]uint16, 0, 2*fields)
		for f := range fields {
			words = append(words, uint16(1000+f), 4)
		}
		s := tplSet(2, uint16(256+id), words...)
		if size+len(s) > 65000 {
			pkts = append(pkts, msg(10, 1, sets...))
			sets, size = nil, ipfixHeader
		}
		sets = append(sets, s)
		size += len(s)
	}
	return append(pkts, msg(10, 1, sets...))
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// floodTemplates sends every exporter the largest template state the caps
// allow and returns the heap it costs.
func floodTemplates(d *Decoder, exporters int) uint64 {
	pkts := maxTemplates(d.cfg.MaxTemplates, d.cfg.MaxTemplateFields)
	before := heapAlloc()
	for i := range exporters {
		from := netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)}), 4739)
		for _, p := range pkts {
			d.Decode(from, p, nil)
		}
	}
	after := heapAlloc()
	runtime.KeepAlive(d)
	if after < before {
		return 0
	}
	return after - before
}

// TestTemplateMemoryMeasure reports what maximal template state costs per
// exporter without the memory cap (go test -run TemplateMemoryMeasure -v):
// the figure MaxTemplateMemory's cost constants come from.
func TestTemplateMemoryMeasure(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxTemplateMemory = 1 << 40
	d := NewDecoder(cfg)
	const n = 16
	got := floodTemplates(d, n)
	per := got / n
	t.Logf("maximal template state: %d exporters cost %.1f MB, %.2f MB per exporter, %.1f bytes per field; x %d exporters = %.0f MB",
		n, float64(got)/1e6, float64(per)/1e6, float64(per)/float64(d.cfg.MaxTemplates*d.cfg.MaxTemplateFields),
		d.cfg.MaxExporters, float64(per)*float64(d.cfg.MaxExporters)/1e6)
}

// TestTemplateMemoryBounded: 48 exporters each asking for the maximal
// template state (256 templates of 256 fields) would cost ~40 MB; the cap
// holds the heap to about MaxTemplateMemory, the excess is counted, and
// evicting the idle exporters gives it all back.
func TestTemplateMemoryBounded(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxTemplateMemory = 16 << 20
	d := NewDecoder(cfg)
	clock := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	d.now = func() time.Time { return clock }
	grew := floodTemplates(d, 48)
	c := d.Counters()
	t.Logf("48 maximal exporters under a %d MiB cap: heap +%.1f MB, accounted %.1f MB, %d templates refused",
		cfg.MaxTemplateMemory>>20, float64(grew)/1e6, float64(c.TemplateBytes)/1e6, c.TemplateMemory)
	if c.TemplateMemory == 0 || c.TemplateBytes > cfg.MaxTemplateMemory {
		t.Fatalf("cap not applied: %+v", c)
	}
	if limit := uint64(cfg.MaxTemplateMemory) * 5 / 4; grew > limit {
		t.Fatalf("template state grew the heap by %d bytes, more than %d", grew, limit)
	}
	clock = clock.Add(cfg.ExporterIdle)
	d.Decode(exp, []byte{0, 10}, nil) // any packet sweeps
	if c := d.Counters(); c.TemplateBytes != 0 || c.Evicted != 48 {
		t.Fatalf("after the idle time: %+v", c)
	}
	// A newcomer can use the memory again.
	if recs, err := d.Decode(exp, msg(10, 1, tplSet(2, 300, fixedV4...), set(300, nil, recV4(false)...)), nil); err != nil || len(recs) != 1 {
		t.Fatalf("newcomer after eviction: %d records, %v", len(recs), err)
	}
}

func TestExporterAllowList(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.Exporters = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/28")}
	d := NewDecoder(cfg)
	pkt := msg(10, 1, tplSet(2, 300, fixedV4...), set(300, nil, recV4(false)...))
	stranger := netip.MustParseAddrPort("198.51.100.7:4739")
	mapped := netip.AddrPortFrom(netip.AddrFrom16(netip.MustParseAddr("192.0.2.3").As16()), 4739)
	if recs, _ := d.Decode(stranger, pkt, nil); len(recs) != 0 {
		t.Fatal("a stranger's flows were decoded")
	}
	if recs, _ := d.Decode(mapped, pkt, nil); len(recs) != 1 {
		t.Fatal("an allowed exporter (IPv4-mapped) was refused")
	}
	if c := d.Counters(); c.NotAllowed != 1 || c.Exporters != 1 {
		t.Fatalf("counters %+v", c)
	}
}

// TestPortFloodThenNewExporter: over real UDP on loopback, 1,100 packets
// from distinct source ports (IPFIX template sets: state, but no flow)
// fill the 1,024-exporter table; an exporter that starts afterwards still
// has its flows decoded, and the flood is counted as evicted.
func TestPortFloodThenNewExporter(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Listen = []string{"127.0.0.1:0"}
	cfg.ReadBuffer = 4 << 20
	got := make(chan flow.Record, 64)
	c, err := New(cfg, Deps{Consumer: func(rs []flow.Record) {
		for _, r := range rs {
			select {
			case got <- r:
			default:
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	to := net.UDPAddrFromAddrPort(c.LocalAddrs()[0])
	flood := msg(10, 1, tplSet(2, 300, fixedV4...))
	for i := range 1100 {
		conn, err := net.DialUDP("udp", nil, to)
		if err != nil {
			t.Fatal(err)
		}
		conn.Write(flood)
		conn.Close()
		if i%100 == 99 {
			time.Sleep(5 * time.Millisecond) // stay within the socket buffer
		}
	}
	waitFor(t, func() bool { return c.Counters().Packets >= 1000 })
	good, err := net.DialUDP("udp", nil, to)
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	good.Write(msg(10, 1, tplSet(2, 300, fixedV4...), set(300, nil, recV4(false)...)))
	select {
	case r := <-got:
		if r.Src != netip.MustParseAddr("10.0.0.1") {
			t.Fatalf("unexpected record %+v", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("the new exporter's flow was not decoded: %+v", c.Counters())
	}
	cnt := c.Counters()
	t.Logf("after the flood: %+v", cnt)
	if cnt.Evicted == 0 || cnt.Dropped != 0 || cnt.Exporters > cfg.MaxExporters {
		t.Fatalf("counters %+v", cnt)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
