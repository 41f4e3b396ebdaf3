package flowsource

import (
	"math"
	"math/bits"
	"time"
)

// Flow times are computed from untrusted packet fields (export time,
// uptime, absolute and uptime-relative timestamps). The arithmetic
// saturates instead of wrapping, so a forged field yields a time at an end
// of the range, which the time trust model rejects, never a wrapped value
// that happens to look plausible.

func satAdd(a, b uint64) uint64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxUint64
}

func satSub(a, b uint64) uint64 {
	if a >= b {
		return a - b
	}
	return 0
}

func satMul(a, b uint64) uint64 {
	if hi, lo := bits.Mul64(a, b); hi == 0 {
		return lo
	}
	return math.MaxUint64
}

// msTime is the UTC time ms milliseconds after the Unix epoch, ms capped
// at the largest int64.
func msTime(ms uint64) time.Time {
	return time.UnixMilli(int64(min(ms, math.MaxInt64))).UTC()
}
