package normalize

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

var quickTimes = []string{
	"2026-10-01T00:00:45.9121112+00:00", "2026-10-01T00:00:17.8356489Z", "2024-02-29T23:59:59Z",
	"2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2000-02-29T12:00:00.5-05:30", "0000-01-01T00:00:00Z",
	"0000-03-01T00:00:00+23:59", "9999-12-31T23:59:59.999999999-23:59", "1969-12-31T23:59:59.1234567891Z",
	"2026-10-01T24:00:00Z", "2026-10-01T23:60:00Z", "2026-10-01T23:59:60Z", "2026-13-01T00:00:00Z",
	"2026-00-10T00:00:00Z", "2026-04-31T00:00:00Z", "2026-10-01T00:00:00z", "2026-10-01T00:00:00.Z",
	"2026-10-01T00:00:00+0000", "2026-10-01T00:00:00+24:00", "2026-10-01T00:00:00+01:60", "2026-10-01 00:00:00Z",
	"+026-10-01T00:00:00Z", "2026-10-01T00:00:00", "2026-10-01T00:00:00.123", "2026-1-01T00:00:00Z",
	"2026-10-01T00:00:00,5Z", "2026-10-01T00:00:00.5+01:00x", "1601-01-01T00:00:00Z", "2026-10-01T0A:00:00Z",
	// Fractions of every length, read eight digits at a time where the
	// string allows, ended by every kind of byte.
	"2026-10-01T00:00:00.12345678Z", "2026-10-01T00:00:00.123456789+01:00", "2026-10-01T00:00:00.1234567890+01:00",
	"2026-10-01T00:00:00.09999999-00:30", "2026-10-01T00:00:00.00000000Z", "2026-10-01T00:00:00.9/Z",
	"2026-10-01T00:00:00.1234567:00:00", "2026-10-01T00:00:00.12\xff45678Z", "2026-10-01T00:00:00.1234\x00678Z",
	"2026-10-01T00:00:00.123456789", "2026-10-01T00:00:00.12345678", "2026-10-01T00:00:00.1\u00e9+01:00",
}

// TestQuickRFC3339 holds the quick path to time.Parse on edge cases:
// where it answers, the very same time.Time; where time.Parse accepts
// the common forms, it answers.
func TestQuickRFC3339(t *testing.T) {
	for _, s := range quickTimes {
		checkQuickRFC3339(t, s)
	}
	for sec := int64(-62_135_596_800); sec < 253_402_300_799; sec += 7_777_777_777 {
		for _, zone := range []*time.Location{time.UTC, time.FixedZone("", -7*3600-30*60), time.FixedZone("", 14*3600)} {
			s := time.Unix(sec, sec%1e9).In(zone).Format(time.RFC3339Nano)
			if _, ok := quickRFC3339(s); !ok {
				t.Errorf("%q left to time.Parse", s)
			}
			checkQuickRFC3339(t, s)
		}
	}
}

func checkQuickRFC3339(t *testing.T, s string) {
	t.Helper()
	got, ok := quickRFC3339(s)
	want, err := time.Parse(time.RFC3339Nano, s)
	switch {
	case ok && err != nil:
		t.Errorf("quickRFC3339(%q) = %v; time.Parse fails: %v", s, got, err)
	case ok && got != want.UTC():
		t.Errorf("quickRFC3339(%q) = %#v, time.Parse gives %#v", s, got, want.UTC())
	}
	// A cache that holds s's minute, read from another timestamp of it,
	// answers as quickRFC3339.
	if len(s) < 16 {
		return
	}
	var c minuteCache
	c.rfc3339(s[:16] + ":00Z")
	if cached, cok := c.rfc3339(s); cok != ok || cached != got {
		t.Errorf("rfc3339(%q) after %q = %#v, %v; quickRFC3339 gives %#v, %v", s, s[:16]+":00Z", cached, cok, got, ok)
	}
}

// FuzzQuickRFC3339: wherever the quick path answers, time.Parse gives the
// same time.Time.
func FuzzQuickRFC3339(f *testing.F) {
	for _, s := range quickTimes {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkQuickRFC3339(t, s) })
}

// TestQuickIPv4: every address in dotted-quad form is read by the quick
// path, as netip reads it; the rest is left to netip.
func TestQuickIPv4(t *testing.T) {
	for i := uint32(0); i < 1<<32-1<<24; i += 16_777_259 {
		s := netip.AddrFrom4([4]byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)}).String()
		if _, ok := quickIPv4(s); !ok {
			t.Errorf("%q left to netip", s)
		}
		checkQuickIPv4(t, s)
	}
	for _, s := range []string{"01.2.3.4", "1.2.3.04", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.",
		".1.2.3", "1..2.3", "1.2.3.4:80", "::ffff:1.2.3.4", "1.2.3.4%eth0", " 1.2.3.4", "1.2.3.1000", "１.2.3.4"} {
		checkQuickIPv4(t, s)
	}
}

func checkQuickIPv4(t *testing.T, s string) {
	t.Helper()
	got, ok := quickIPv4(s)
	want, err := netip.ParseAddr(s)
	if ok && (err != nil || got != want) {
		t.Errorf("quickIPv4(%q) = %v; netip.ParseAddr gives %v, %v", s, got, want, err)
	}
}

// FuzzQuickIPv4: wherever the quick path answers, netip gives the same
// address.
func FuzzQuickIPv4(f *testing.F) {
	for i := range 300 {
		f.Add(fmt.Sprintf("%d.%d.0%d.%d", i, 255-i%256, i%3, i*7%300))
	}
	f.Fuzz(func(t *testing.T, s string) { checkQuickIPv4(t, s) })
}

// TestFracDigits holds the eight-at-a-time digit reader to a byte-wise
// one, for runs of 0 to 11 digits ended by every byte value, with and
// without bytes after it.
func TestFracDigits(t *testing.T) {
	ref := func(s string) (n, v int) {
		for ; n < len(s) && s[n] >= '0' && s[n] <= '9'; n++ {
			if n == 9 {
				return 10, 0
			}
			v = v*10 + int(s[n]-'0')
		}
		return n, v
	}
	digits := "98765432109"
	for n := range len(digits) + 1 {
		for c := range 256 {
			for _, tail := range []string{"", "Z", "+01:00"} {
				s := digits[:n] + string([]byte{byte(c)}) + tail
				wn, wv := ref(s)
				if gn, gv := fracDigits(s); gn != wn || gn <= 9 && gv != wv {
					t.Fatalf("fracDigits(%q) = %d, %d; want %d, %d", s, gn, gv, wn, wv)
				}
			}
		}
	}
}
