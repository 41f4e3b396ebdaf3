// Package reorder puts a live stream of activity events back into event
// time order. `vedette detect` gives the pipeline its inputs merged in
// (time, key) order, the order of one sorted batch (internal/merge); a live
// source cannot wait for its end, so it holds each event for an allowed
// lateness of event time and releases events in (time, key) order as the
// watermark passes them.
//
// Guarantee: if every event arrives before the watermark passes its time
// (its stream has not yet seen an event more than the lateness newer), the
// events are released in exactly the (time, key) order of one sorted batch,
// so the pipeline raises the same alerts with the same IDs. An event older
// than what was already released is late: it is handed back at once and
// counted, and the baselines' watermark decides what happens to it, as for
// a second batch of older files.
//
// Each input stream (a Kafka partition) keeps its own newest event time and
// the watermark follows the slowest active stream, so partitions read at
// uneven speeds (a backlog being caught up) do not make each other late.
// A stream announced with Open holds the watermark back from the start,
// before its first event; a stream that has caught up (or stays silent,
// as its caller decides) is marked Idle and stops holding the watermark
// back until it delivers again.
package reorder

import (
	"container/heap"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/merge"
)

// Item is a released event and the tag it was pushed with.
type Item[T any] struct {
	Event *event.Event
	Tag   T
}

// Stats count what the buffer did.
type Stats struct {
	Held     int `json:"held"`     // events held now
	Released int `json:"released"` // events released in order
	Late     int `json:"late"`     // events older than the released watermark, handed back at once
}

// Buffer holds events until the watermark passes them. Not safe for
// concurrent use.
type Buffer[T any] struct {
	lateness time.Duration
	items    items[T]
	streams  map[string]*stream
	released time.Time // every event before it has been released
	seq      uint64
	stats    Stats
}

type stream struct {
	newest time.Time
	idle   bool
}

// New returns a buffer holding events for lateness of event time. A
// lateness of 0 releases events as soon as a stream moves past them.
func New[T any](lateness time.Duration) *Buffer[T] {
	return &Buffer[T]{lateness: lateness, streams: map[string]*stream{}}
}

// Push adds e, read from the named stream. It returns false when e is late
// (older than what was already released): e is not held and the caller
// processes it now.
func (b *Buffer[T]) Push(name string, e *event.Event, tag T) bool {
	s := b.streams[name]
	if s == nil {
		s = &stream{}
		b.streams[name] = s
	}
	s.idle = false
	if e.Time.After(s.newest) {
		s.newest = e.Time
	}
	if e.Time.Before(b.released) {
		b.stats.Late++
		return false
	}
	b.seq++
	heap.Push(&b.items, entry[T]{Item: Item[T]{Event: e, Tag: tag}, seq: b.seq})
	b.stats.Held++
	return true
}

// Open announces a stream (a partition assigned to this consumer): until
// it delivers or is marked Idle, nothing is released.
func (b *Buffer[T]) Open(name string) {
	if b.streams[name] == nil {
		b.streams[name] = &stream{}
	}
}

// Idle marks a stream as caught up: it no longer holds the watermark back
// until its next Push.
func (b *Buffer[T]) Idle(name string) {
	if s := b.streams[name]; s != nil {
		s.idle = true
	}
}

// Forget drops a stream (a partition revoked from this consumer). The
// events it already pushed stay held.
func (b *Buffer[T]) Forget(name string) { delete(b.streams, name) }

// Watermark is the event time below which every event has been released.
func (b *Buffer[T]) Watermark() time.Time { return b.released }

// Len is the number of events held.
func (b *Buffer[T]) Len() int { return b.items.Len() }

// Stats returns the counters so far.
func (b *Buffer[T]) Stats() Stats { return b.stats }

// Release appends to dst, in (time, key) order, the held events the
// watermark has passed, and returns dst.
func (b *Buffer[T]) Release(dst []Item[T]) []Item[T] {
	if w, ok := b.watermark(); ok && w.After(b.released) {
		b.released = w
	}
	return b.popBefore(dst, b.released, false)
}

// Flush releases every held event in (time, key) order, as at the end of a
// batch, and moves the watermark to the newest event seen.
func (b *Buffer[T]) Flush(dst []Item[T]) []Item[T] {
	for _, s := range b.streams {
		if s.newest.After(b.released) {
			b.released = s.newest
		}
	}
	return b.popBefore(dst, time.Time{}, true)
}

func (b *Buffer[T]) popBefore(dst []Item[T], w time.Time, all bool) []Item[T] {
	for b.items.Len() > 0 && (all || b.items[0].Event.Time.Before(w)) {
		dst = append(dst, heap.Pop(&b.items).(entry[T]).Item)
		b.stats.Held--
		b.stats.Released++
	}
	return dst
}

// watermark is the newest time of the slowest active stream (of the
// newest stream when all are idle), less the lateness.
func (b *Buffer[T]) watermark() (time.Time, bool) {
	var slowest, newest time.Time
	active, seen := false, false
	for _, s := range b.streams {
		if !seen || s.newest.After(newest) {
			newest, seen = s.newest, true
		}
		if !s.idle && (!active || s.newest.Before(slowest)) {
			slowest, active = s.newest, true
		}
	}
	switch {
	case active:
		return slowest.Add(-b.lateness), true
	case seen:
		return newest.Add(-b.lateness), true
	}
	return time.Time{}, false
}

// entry orders items by (time, key) as merge.Compare does, then arrival.
type entry[T any] struct {
	Item[T]
	seq uint64
}

type items[T any] []entry[T]

func (h items[T]) Len() int { return len(h) }

func (h items[T]) Less(i, j int) bool {
	if c := merge.Compare(h[i].Event, h[j].Event); c != 0 {
		return c < 0
	}
	return h[i].seq < h[j].seq
}

func (h items[T]) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

func (h *items[T]) Push(x any) { *h = append(*h, x.(entry[T])) }

func (h *items[T]) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = entry[T]{}
	*h = old[:len(old)-1]
	return x
}
