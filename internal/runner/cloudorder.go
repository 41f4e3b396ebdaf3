package runner

import (
	"container/heap"
	"time"

	"github.com/vedette/vedette/internal/flow"
)

// flowOrder is package reorder's buffer for flow records: it holds polled
// flow records for the allowed lateness of event time and releases them
// in the order `vedette detect` sorts a batch (compareFlows), as the
// slowest active stream's watermark passes them. The network engine then
// sees the records of live polling in the order of one batch.
type flowOrder struct {
	lateness time.Duration
	items    flowItems
	streams  map[string]*flowStream
	released time.Time
	seq      uint64
	late     int
}

type flowStream struct {
	newest time.Time
	idle   bool
}

type heldFlow struct {
	rec flow.Record
	tag *pendingChunk
	seq uint64
}

func newFlowOrder(lateness time.Duration) *flowOrder {
	return &flowOrder{lateness: lateness, streams: map[string]*flowStream{}}
}

// Open announces a stream: nothing is released before it delivers or is
// idle.
func (o *flowOrder) Open(name string) {
	if o.streams[name] == nil {
		o.streams[name] = &flowStream{}
	}
}

// Idle marks a stream caught up.
func (o *flowOrder) Idle(name string) {
	if s := o.streams[name]; s != nil {
		s.idle = true
	}
}

// Advance moves the released watermark to t if later (reorder.Advance).
func (o *flowOrder) Advance(t time.Time) {
	if t.After(o.released) {
		o.released = t
	}
}

// Watermark is the time before which every record was released.
func (o *flowOrder) Watermark() time.Time { return o.released }

// Len is the number of records held.
func (o *flowOrder) Len() int { return o.items.Len() }

// Push holds r; false when r is late (before the watermark): the caller
// applies it now.
func (o *flowOrder) Push(stream string, r flow.Record, tag *pendingChunk) bool {
	s := o.streams[stream]
	if s == nil {
		s = &flowStream{}
		o.streams[stream] = s
	}
	s.idle = false
	t := r.Time()
	if t.After(s.newest) {
		s.newest = t
	}
	if t.Before(o.released) {
		o.late++
		return false
	}
	o.seq++
	heap.Push(&o.items, heldFlow{rec: r, tag: tag, seq: o.seq})
	return true
}

// Release appends the records the watermark passed, in order.
func (o *flowOrder) Release(dst []heldFlow) []heldFlow {
	var slowest, newest time.Time
	active, seen := false, false
	for _, s := range o.streams {
		if !seen || s.newest.After(newest) {
			newest, seen = s.newest, true
		}
		if !s.idle && (!active || s.newest.Before(slowest)) {
			slowest, active = s.newest, true
		}
	}
	if active {
		newest = slowest
	}
	if w := newest.Add(-o.lateness); seen && w.After(o.released) {
		o.released = w
	}
	for o.items.Len() > 0 && o.items[0].rec.Time().Before(o.released) {
		dst = append(dst, heap.Pop(&o.items).(heldFlow))
	}
	return dst
}

// Flush releases every held record, in order.
func (o *flowOrder) Flush(dst []heldFlow) []heldFlow {
	for _, s := range o.streams {
		o.Advance(s.newest)
	}
	for o.items.Len() > 0 {
		dst = append(dst, heap.Pop(&o.items).(heldFlow))
	}
	return dst
}

type flowItems []heldFlow

func (h flowItems) Len() int { return len(h) }
func (h flowItems) Less(i, j int) bool {
	if c := compareFlows(h[i].rec, h[j].rec); c != 0 {
		return c < 0
	}
	return h[i].seq < h[j].seq
}
func (h flowItems) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *flowItems) Push(x any)   { *h = append(*h, x.(heldFlow)) }
func (h *flowItems) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = heldFlow{}
	*h = old[:len(old)-1]
	return x
}
