package netdetect

import (
	"net/netip"
	"runtime"
	"testing"

	"github.com/vedette/vedette/internal/flow"
)

// BenchmarkStatePerHost reports the real heap an open hour holds per
// monitored host: the live heap 4096 hosts add to an Engine, each with ten
// SSH attempts from one source (ssh: one active channel) or ten
// HTTPS flows (quiet: no SSH or RDP), with everything the
// hour keeps for them (aggregates, their table, peer tables).
func BenchmarkStatePerHost(b *testing.B) {
	for _, c := range []struct {
		name string
		port uint16
	}{{"ssh", 22}, {"quiet", 443}} {
		b.Run(c.name, func(b *testing.B) { hostHourHeap(b, c.port) })
	}
}

func hostHourHeap(b *testing.B, port uint16) {
	recs := hostsRecords(4096, port)
	var per float64
	for b.Loop() {
		cfg := DefaultConfig()
		cfg.MonitorPrefixes = []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}
		e, err := New(cfg, Deps{})
		if err != nil {
			b.Fatal(err)
		}
		before := liveHeap()
		for i := range recs {
			e.Observe(&recs[i])
		}
		per = float64(liveHeap()-before) / 4096
		runtime.KeepAlive(e)
	}
	b.ReportMetric(per, "B/host-hour")
}

// hostsRecords is ten flows from one outside source to each of n hosts.
func hostsRecords(n int, port uint16) []flow.Record {
	var out []flow.Record
	for i := range n {
		dst := netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}).String()
		out = append(out, conn{src: "198.51.100.9", dst: dst, port: port, n: 10}.records(t0)...)
	}
	return out
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
