package reorder

import "time"

// Streams reports the streams announced or seen: how many there are, how
// many are idle (caught up, or silent: they no longer hold the watermark
// back) and the newest event time any of them delivered.
func (b *Buffer[T]) Streams() (total, idle int, newest time.Time) {
	for _, s := range b.streams {
		total++
		if s.idle {
			idle++
		}
		if s.newest.After(newest) {
			newest = s.newest
		}
	}
	return total, idle, newest
}
