// Package merge puts the events of several inputs into one event-time
// order without holding them all: `vedette detect` used to read every
// input, then sort. Each input is mostly in time order already; a bounded
// window (Window) puts the rest right, an input that is not in order
// within the window is sorted in bounded memory, spilling sorted runs to
// disk (Sort), and the inputs are merged (Merge).
//
// The order is exactly that of a stable sort of the inputs' events, read
// one input after another, by (time, key): Window and Sort order an input
// by (time, key, position in the input) and Merge breaks ties between
// inputs by their index. One batch, pieces and a live stream thus give the
// same alerts with the same IDs.
package merge

import (
	"container/heap"
	"errors"
	"io"

	"github.com/vedette/vedette/internal/event"
)

// Source yields events; io.EOF ends it.
type Source interface {
	Next() (*event.Event, error)
}

// ErrOrder is returned (wrapped) by a Window whose input has an event
// older than one the window already released: the input is not in order
// within the window, and must be sorted (Sort).
var ErrOrder = errors.New("input not in time order within the window")

// Less is the order of events: time, then key.
func Less(a, b *event.Event) bool {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c < 0
	}
	return a.Key < b.Key
}

// Merge yields the events of sources, each in order, in one order; ties
// go to the source listed first. An error of a source ends the merge.
func Merge(sources []Source) Source {
	m := &merger{}
	for i, s := range sources {
		m.h = append(m.h, head{src: s, index: i})
	}
	return m
}

type head struct {
	src   Source
	index int
	e     *event.Event
}

type merger struct {
	h       heads
	started bool
}

func (m *merger) start() error {
	m.started = true
	live := m.h[:0]
	for _, hd := range m.h {
		e, err := hd.src.Next()
		if err == io.EOF {
			continue
		}
		if err != nil {
			return err
		}
		hd.e = e
		live = append(live, hd)
	}
	m.h = live
	heap.Init(&m.h)
	return nil
}

// Next implements Source.
func (m *merger) Next() (*event.Event, error) {
	if !m.started {
		if err := m.start(); err != nil {
			return nil, err
		}
	}
	if len(m.h) == 0 {
		return nil, io.EOF
	}
	top := &m.h[0]
	e := top.e
	next, err := top.src.Next()
	switch {
	case err == io.EOF:
		heap.Pop(&m.h)
	case err != nil:
		return nil, err
	default:
		top.e = next
		heap.Fix(&m.h, 0)
	}
	return e, nil
}

type heads []head

func (h heads) Len() int { return len(h) }
func (h heads) Less(i, j int) bool {
	if Less(h[i].e, h[j].e) {
		return true
	}
	return !Less(h[j].e, h[i].e) && h[i].index < h[j].index
}
func (h heads) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *heads) Push(x any)   { *h = append(*h, x.(head)) }
func (h *heads) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
