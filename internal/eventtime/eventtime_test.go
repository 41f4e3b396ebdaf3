package eventtime

import (
	"math"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)

func TestCheck(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"a sign-in a minute ago", now.Add(-time.Minute), ""},
		{"a clock 9 minutes fast", now.Add(9 * time.Minute), ""},
		{"exactly at the skew limit", now.Add(10 * time.Minute), ""},
		{"just past the skew limit", now.Add(10*time.Minute + time.Nanosecond), ReasonFuture},
		{"the floor itself", DefaultFloor, ""},
		{"Windows FILETIME zero", time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC), ReasonImplausible},
		{"Go zero time", time.Time{}, ReasonImplausible},
		{"Unix epoch of an unset field", time.Unix(0, 0), ReasonImplausible},
		{"IPFIX export time 0xFFFFFFF0", time.Unix(0xFFFFFFF0, 0), ReasonFuture},
		{"past UnixNano's range", time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC), ReasonFuture},
		{"NSG tuple 99999999999999", time.Unix(99999999999999, 0), ReasonFuture},
		{"year 9999", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), ReasonFuture},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reason, detail := p.Check(tc.t, now)
			if reason != tc.want {
				t.Fatalf("Check = %q (%s), want %q", reason, detail, tc.want)
			}
			if (reason == "") != (detail == "") {
				t.Fatalf("reason %q with detail %q", reason, detail)
			}
			if p.Trusted(tc.t, now) != (reason == "") {
				t.Fatalf("Trusted disagrees with Check")
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    Policy
		ok   bool
	}{
		{"defaults", DefaultPolicy(), true},
		{"no skew", Policy{Floor: DefaultFloor}, true},
		{"negative skew", Policy{MaxFutureSkew: -time.Second, Floor: DefaultFloor}, false},
		{"skew of a year", Policy{MaxFutureSkew: 365 * 24 * time.Hour, Floor: DefaultFloor}, false},
		{"zero floor", Policy{MaxFutureSkew: time.Minute}, false},
		{"floor in 2300", Policy{MaxFutureSkew: time.Minute, Floor: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)}, false},
	} {
		if err := tc.p.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

// FuzzCheck draws event and wall-clock times from the whole int64 range
// of seconds and nanoseconds: Check never panics, agrees with Trusted, and
// whatever it trusts converts to Unix nanoseconds and milliseconds and back
// without overflow.
func FuzzCheck(f *testing.F) {
	f.Add(now.Unix(), int64(0), now.Unix(), int64(10*time.Minute))
	f.Add(int64(math.MinInt64), int64(0), now.Unix(), int64(0))
	f.Add(int64(math.MaxInt64), int64(999999999), now.Unix(), int64(MaxSkew))
	f.Add(int64(0xFFFFFFF0), int64(0), int64(math.MaxInt64), int64(time.Minute))
	f.Add(int64(-11644473600), int64(0), now.Unix(), int64(time.Minute))
	f.Fuzz(func(t *testing.T, sec, nsec, nowSec, skew int64) {
		p := Policy{MaxFutureSkew: time.Duration(skew), Floor: DefaultFloor}
		if p.Validate() != nil {
			p.MaxFutureSkew = DefaultMaxFutureSkew
		}
		ev, wall := time.Unix(sec, nsec), time.Unix(nowSec, 0)
		reason, _ := p.Check(ev, wall)
		if p.Trusted(ev, wall) != (reason == "") {
			t.Fatalf("Trusted and Check disagree on %d.%d at %d", sec, nsec, nowSec)
		}
		ms := UnixMilli(ev)
		if reason != "" {
			return
		}
		if ev.Year() < 2000 || ev.Year() > 2262 {
			if wall.Year() <= 2262 {
				t.Fatalf("trusted %v at %v", ev, wall)
			}
			return // a wall clock past 2262 is not this machine's
		}
		if got := time.Unix(0, ev.UnixNano()); !got.Equal(ev) {
			t.Fatalf("UnixNano of trusted %v wrapped to %v", ev, got)
		}
		if got := FromUnixMilli(ms); !got.Equal(ev.Truncate(time.Millisecond)) && ev.Sub(got) >= time.Millisecond {
			t.Fatalf("UnixMilli round trip of %v gave %v", ev, got)
		}
	})
}

func TestUnixMilliSaturates(t *testing.T) {
	t.Parallel()
	if got := UnixMilli(time.Unix(math.MaxInt64/1000+5, 0)); got != math.MaxInt64 {
		t.Errorf("UnixMilli(far future) = %d, want MaxInt64", got)
	}
	if got := UnixMilli(time.Unix(math.MinInt64/1000-5, 0)); got != math.MinInt64 {
		t.Errorf("UnixMilli(far past) = %d, want MinInt64", got)
	}
	if got := UnixMilli(now); got != now.UnixMilli() {
		t.Errorf("UnixMilli(now) = %d, want %d", got, now.UnixMilli())
	}
}
