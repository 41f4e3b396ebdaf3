package detect

import (
	"math"
	"testing"
	"time"
)

func TestSinceUnixIsSub(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 10, 1, 12, 30, 0, 999_999_999, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 1, time.UTC),
		time.Date(2106, 2, 7, 6, 28, 15, 5, time.UTC), // 2³²-1 s
		time.Date(2300, 1, 1, 0, 0, 0, 7, time.UTC),
		time.Unix(1<<32, 3),
		time.Unix(-1<<32, 3),
		{},
	}
	secs := []int64{0, 1, -1, 1_790_000_000, 1<<32 - 1, 1 << 32, -1 << 32, math.MaxInt64, math.MinInt64}
	for _, at := range times {
		for _, s := range secs {
			if got, want := sinceUnix(at, s), at.Sub(time.Unix(s, 0)); got != want {
				t.Errorf("sinceUnix(%v, %d) = %v, want %v", at, s, got, want)
			}
		}
	}
}
