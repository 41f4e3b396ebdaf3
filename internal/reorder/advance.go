package reorder

import "time"

// Advance moves the released watermark to t if it is later: held events
// before t are released by the next Release, and events pushed before t
// are late. A consumer that restarts from a saved cut (every event before
// it already processed) resumes with it, so what it reads again is in the
// same order as before the restart.
func (b *Buffer[T]) Advance(t time.Time) {
	if t.After(b.released) {
		b.released = t
	}
}
