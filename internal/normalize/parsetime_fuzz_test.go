package normalize

import (
	"testing"
	"time"

	"github.com/vedette/vedette/internal/eventtime"
)

// FuzzParseTime formats times drawn from the whole int64 range of seconds
// in every layout records use and parses them back: parseTime never
// panics, gives UTC, round-trips what a four-digit year can say, and
// whatever it returns is judged by the time trust model without overflow.
func FuzzParseTime(f *testing.F) {
	f.Add(int64(1_790_000_000), int64(123_456_789), uint8(0))
	f.Add(int64(-11_644_473_600), int64(0), uint8(1)) // 1601-01-01, FILETIME zero
	f.Add(int64(-62_135_596_800), int64(0), uint8(2)) // 0001-01-01
	f.Add(int64(9_224_286_400), int64(0), uint8(3))   // 2262, past UnixNano
	f.Add(int64(253_402_300_799), int64(0), uint8(4)) // 9999-12-31T23:59:59
	f.Add(int64(-1<<63), int64(-1), uint8(5))
	f.Fuzz(func(t *testing.T, sec, nsec int64, layout uint8) {
		in := time.Unix(sec, nsec%1e9).UTC()
		l := timeLayouts[int(layout)%len(timeLayouts)]
		s := in.Format(l)
		got, ok := parseTime(s)
		if !ok {
			if y := in.Year(); y >= 0 && y <= 9999 && l != "1/2/2006, 3:04:05.999 PM" {
				t.Fatalf("%q (%s) not parsed back", s, l)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("%q parsed as %v, not UTC", s, got)
		}
		if want, err := time.Parse(l, s); err == nil && !got.Equal(want) {
			t.Fatalf("%q parsed as %v, want %v", s, got, want)
		}
		p := eventtime.DefaultPolicy()
		now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
		if reason, _ := p.Check(got, now); reason == "" && got.UnixNano()/1e9 != got.Unix() {
			t.Fatalf("trusted %v wraps in Unix nanoseconds", got)
		}
	})
}
