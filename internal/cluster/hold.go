package cluster

import (
	"container/heap"
	"slices"
	"time"
)

// Hold puts one partition's items back into event-time order, as
// internal/reorder does for serve: each item is held until the newest
// time seen passes it by the lateness, then released in the order of
// Compare (the order `vedette detect` sorts a batch in). Unlike reorder it
// serves a single stream and its whole content can be saved with the
// partition's state (State) and restored by the next owner, so a
// partition that moves neither loses nor repeats an item.
type Hold[T any] struct {
	lateness time.Duration
	order    Order[T]
	st       State[T]
	h        holdHeap[T]
	late     int
}

// Order is how items of a Hold compare: Time gives an item's event time,
// Compare a total order that sorts by it first.
type Order[T any] struct {
	Time    func(*T) time.Time
	Compare func(a, b *T) int
}

// State is what a Hold holds, in release order: saved with the
// partition.
type State[T any] struct {
	Newest   time.Time `json:"newest"`
	Released time.Time `json:"released"`
	Items    []T       `json:"items"`
}

// NewHold returns an empty Hold.
func NewHold[T any](lateness time.Duration, order Order[T]) *Hold[T] {
	return &Hold[T]{lateness: lateness, order: order, h: holdHeap[T]{order: order}}
}

// Push holds x. It returns false when x is late (older than what was
// already released): x is not held and the caller processes it now.
func (b *Hold[T]) Push(x T) bool {
	t := b.order.Time(&x)
	if t.After(b.st.Newest) {
		b.st.Newest = t
	}
	if t.Before(b.st.Released) {
		b.late++
		return false
	}
	heap.Push(&b.h, x)
	return true
}

// Release appends to dst, in order, the items the watermark (the newest
// time less the lateness) has passed.
func (b *Hold[T]) Release(dst []T) []T {
	if w := b.st.Newest.Add(-b.lateness); w.After(b.st.Released) {
		b.st.Released = w
	}
	for len(b.h.items) > 0 && b.order.Time(&b.h.items[0]).Before(b.st.Released) {
		dst = append(dst, heap.Pop(&b.h).(T))
	}
	return dst
}

// Flush releases every held item, as at the end of a batch.
func (b *Hold[T]) Flush(dst []T) []T {
	if b.st.Newest.After(b.st.Released) {
		b.st.Released = b.st.Newest
	}
	for len(b.h.items) > 0 {
		dst = append(dst, heap.Pop(&b.h).(T))
	}
	return dst
}

// Len is the number of items held.
func (b *Hold[T]) Len() int { return len(b.h.items) }

// Late is the number of late items so far.
func (b *Hold[T]) Late() int { return b.late }

// State returns a copy of what the Hold holds, in release order.
func (b *Hold[T]) State() State[T] {
	st := b.st
	st.Items = slices.Clone(b.h.items)
	slices.SortStableFunc(st.Items, func(x, y T) int { return b.order.Compare(&x, &y) })
	return st
}

// Restore replaces the Hold's content with st.
func (b *Hold[T]) Restore(st State[T]) {
	b.st = State[T]{Newest: st.Newest, Released: st.Released}
	b.h.items = slices.Clone(st.Items)
	heap.Init(&b.h)
}

type holdHeap[T any] struct {
	order Order[T]
	items []T
}

func (h *holdHeap[T]) Len() int           { return len(h.items) }
func (h *holdHeap[T]) Less(i, j int) bool { return h.order.Compare(&h.items[i], &h.items[j]) < 0 }
func (h *holdHeap[T]) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *holdHeap[T]) Push(x any)         { h.items = append(h.items, x.(T)) }
func (h *holdHeap[T]) Pop() any {
	n := len(h.items) - 1
	x := h.items[n]
	var zero T
	h.items[n] = zero
	h.items = h.items[:n]
	return x
}
