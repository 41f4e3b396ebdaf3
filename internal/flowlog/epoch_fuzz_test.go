package flowlog

import (
	"strconv"
	"testing"
)

// FuzzParseEpoch reads Zeek's "seconds.fraction" times with seconds drawn
// from the whole int64 range: it never panics, accepts only positive
// seconds with at most nine fraction digits, and keeps them exactly.
func FuzzParseEpoch(f *testing.F) {
	f.Add(int64(1599755438), "57536")
	f.Add(int64(-1<<63), "")
	f.Add(int64(1<<63-1), "999999999")
	f.Add(int64(99999999999999), "1")
	f.Fuzz(func(t *testing.T, sec int64, frac string) {
		s := strconv.FormatInt(sec, 10)
		if frac != "" {
			s += "." + frac
		}
		got, err := parseEpoch(s)
		if err != nil {
			return
		}
		if sec <= 0 || len(frac) > 9 {
			t.Fatalf("%q accepted as %v", s, got)
		}
		if got.Unix() != sec {
			t.Fatalf("%q read as %d s", s, got.Unix())
		}
	})
}
