// Package eventtime is Vedette's time trust model: the one check every
// event time read from input (activity records, flow records from files or
// UDP, Kafka messages) passes before it may reach a watermark, a baseline,
// the reorder buffer or a host-hour.
//
// Event time comes from the data, and the data is untrusted. A time later
// than the wall clock plus Policy.MaxFutureSkew cannot have happened yet
// (a broken clock, a forged packet, a placeholder such as 9999-12-31); a
// time before Policy.Floor is implausible (the Windows FILETIME zero
// 1601-01-01, Go's zero 0001-01-01, the Unix epoch of an unset field).
// Either would move a watermark: with it, every later genuine event would
// count as already processed or late. Both are rejected with a reason and
// never touch state. Between the floor and the future limit every time is
// also inside the range of time.Time.UnixNano (1677..2262), so code after
// the check may do nanosecond arithmetic on it without overflow.
package eventtime

import (
	"errors"
	"fmt"
	"time"
)

// Rejection reasons, as counted in summaries and written to rejected.jsonl.
const (
	// ReasonFuture: the time is later than the wall clock plus the
	// allowed skew.
	ReasonFuture = "future-time"
	// ReasonImplausible: the time is before the configured floor.
	ReasonImplausible = "implausible-time"
)

// Defaults of Policy.
const (
	DefaultMaxFutureSkew = 10 * time.Minute
	// MaxSkew bounds MaxFutureSkew: a larger skew would let a forged time
	// hold the watermark that far ahead.
	MaxSkew = 7 * 24 * time.Hour
)

// DefaultFloor is the default earliest plausible event time, 2000-01-01.
var DefaultFloor = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// minFloor and maxFloor bound the configurable floor to where Unix
// nanoseconds, days as uint16 and the detections' windows stay exact.
var (
	minFloor = time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC)
	maxFloor = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Policy is the configured trust model (config key "time").
type Policy struct {
	// MaxFutureSkew is how far ahead of the wall clock an event time may
	// be (exporter and log clocks drift). Default 10m.
	MaxFutureSkew time.Duration `yaml:"max_future_skew"`
	// Floor is the earliest plausible event time. Default 2000-01-01.
	Floor time.Time `yaml:"floor"`
}

// DefaultPolicy returns the documented defaults.
func DefaultPolicy() Policy {
	return Policy{MaxFutureSkew: DefaultMaxFutureSkew, Floor: DefaultFloor}
}

// ErrPolicy marks an invalid Policy.
var ErrPolicy = errors.New("invalid time policy")

// Validate checks the policy without I/O.
func (p Policy) Validate() error {
	if p.MaxFutureSkew < 0 || p.MaxFutureSkew > MaxSkew {
		return fmt.Errorf("time.max_future_skew: %s is outside [0, %s]: %w", p.MaxFutureSkew, MaxSkew, ErrPolicy)
	}
	if p.Floor.Before(minFloor) || p.Floor.After(maxFloor) {
		return fmt.Errorf("time.floor: %s is outside [%s, %s]: %w",
			p.Floor.Format(time.DateOnly), minFloor.Format(time.DateOnly), maxFloor.Format(time.DateOnly), ErrPolicy)
	}
	return nil
}

// Check judges t against the policy at wall-clock time now. It returns ""
// when t is trusted, else the rejection reason and a human detail.
func (p Policy) Check(t, now time.Time) (reason, detail string) {
	if t.Before(p.Floor) {
		return ReasonImplausible, fmt.Sprintf("event time %s is before the floor %s", format(t), p.Floor.Format(time.DateOnly))
	}
	if limit := p.Limit(now); t.After(limit) {
		return ReasonFuture, fmt.Sprintf("event time %s is later than the clock %s plus %s", format(t), format(now), p.MaxFutureSkew)
	}
	return "", ""
}

// Limit is the latest trusted event time at wall-clock time now.
func (p Policy) Limit(now time.Time) time.Time { return now.Add(p.MaxFutureSkew) }

// Trusted reports whether t passes Check.
func (p Policy) Trusted(t, now time.Time) bool {
	return !t.Before(p.Floor) && !t.After(p.Limit(now))
}

// format writes t in RFC 3339 with its own year even outside 0000..9999,
// where time.Format would not round-trip.
func format(t time.Time) string {
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Sprintf("year %d", y)
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// UnixMilli converts a trusted or untrusted time to Unix milliseconds,
// saturating instead of wrapping outside int64's range.
func UnixMilli(t time.Time) int64 {
	const maxSec = (1<<63 - 1) / 1000
	s := t.Unix()
	switch {
	case s >= maxSec:
		return 1<<63 - 1
	case s <= -maxSec:
		return -1 << 63
	}
	return t.UnixMilli()
}

// FromUnixMilli is time.UnixMilli in UTC.
func FromUnixMilli(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
