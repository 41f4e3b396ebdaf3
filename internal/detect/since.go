package detect

import "time"

// sinceUnix is t.Sub(time.Unix(sec, 0)): how long after the Unix second
// sec t is. Detections ask it of every event for their learning periods,
// where Time.Sub costs an Add and an Equal on top of the subtraction.
// Within ±2³² seconds of 1970 both, no Duration can overflow, so the
// arithmetic is exact; anything further goes through Sub, which
// saturates.
func sinceUnix(t time.Time, sec int64) time.Duration {
	const bound = 1 << 32
	u := t.Unix()
	if u <= -bound || u >= bound || sec <= -bound || sec >= bound {
		return t.Sub(time.Unix(sec, 0))
	}
	return time.Duration(u-sec)*time.Second + time.Duration(t.Nanosecond())
}
