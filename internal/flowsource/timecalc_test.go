package flowsource

import (
	"math"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/flow"
)

// FuzzFlowTimes drives the flow time computation with every field drawn
// from the whole 64-bit range (absolute seconds and milliseconds, uptimes,
// export time, system init time): it never panics or wraps, Start never
// follows End, and End is the export time or within a day after it.
func FuzzFlowTimes(f *testing.F) {
	const export = uint64(1_700_000_000_000)
	f.Add(uint8(kindEndMs), export-1000, uint8(kindStartMs), export-2000, uint16(9), export, uint64(60_000), uint64(0))
	f.Add(uint8(kindEndSec), uint64(math.MaxUint64), uint8(kindStartSec), uint64(math.MaxUint64/999), uint16(10), export, uint64(0), uint64(0))
	f.Add(uint8(kindEndUptime), uint64(math.MaxUint64-5), uint8(kindStartUptime), uint64(1), uint16(9), export, uint64(math.MaxUint64), uint64(0))
	f.Add(uint8(kindEndUptime), uint64(5000), uint8(kindStartUptime), uint64(4000), uint16(10), uint64(0xFFFFFFF0)*1000, uint64(0), uint64(math.MaxUint64))
	f.Fuzz(func(t *testing.T, k1 uint8, v1 uint64, k2 uint8, v2 uint64, version uint16, exportMs, uptimeMs, initMs uint64) {
		var tm times
		for _, kv := range []struct {
			k kind
			v uint64
		}{{kind(k1), v1}, {kind(k2), v2}} {
			var b [8]byte
			for i := range b {
				b[i] = byte(kv.v >> (56 - 8*i))
			}
			setTime(&tm, kv.k, b[:])
		}
		p := packetCtx{version: version, exportMs: exportMs, uptimeMs: uptimeMs, initMs: initMs}
		var r flow.Record
		finishTimes(&r, &p, &tm)
		if r.Start.After(r.End) {
			t.Fatalf("start %v after end %v", r.Start, r.End)
		}
		end := uint64(r.End.UnixMilli())
		if r.End.UnixMilli() < 0 || (end != min(exportMs, math.MaxInt64) && end > satAdd(exportMs, 86_400_000)) {
			t.Fatalf("end %v (%d ms) for export time %d", r.End, r.End.UnixMilli(), exportMs)
		}
		if r.End.Location() != time.UTC {
			t.Fatal("not UTC")
		}
	})
}

func TestSaturatingArithmetic(t *testing.T) {
	t.Parallel()
	if satAdd(math.MaxUint64-1, 5) != math.MaxUint64 || satSub(3, 5) != 0 || satMul(1<<62, 1000) != math.MaxUint64 || satMul(7, 1000) != 7000 {
		t.Fatal("saturating arithmetic wraps")
	}
	if got := msTime(math.MaxUint64); got.UnixMilli() != math.MaxInt64 {
		t.Fatalf("msTime(max) = %d ms", got.UnixMilli())
	}
}
