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
func Less(a, b *event.Event) bool { return Compare(a, b) < 0 }

// Compare orders events by time, then key: -1, 0 or +1. The time is
// compared as a Stamp (the wall clock, never a monotonic reading), so
// that Compare, the windows' stamps and runs spilled through gob (which
// drops the reading) agree by construction. Built with the
// vedettepoison tag, it panics on an event released for recycling (see
// package recycle): an order kept with one would be silently wrong.
func Compare(a, b *event.Event) int { return stampOf(a).compare(stampOf(b)) }

// Merge yields the events of sources, each in order, in one order; ties
// go to the source listed first. An error of a source ends the merge.
func Merge(sources []Source) Source {
	m := &merger{}
	for i, s := range sources {
		st, _ := s.(Stamped)
		m.h = append(m.h, head{src: s, stamped: st, index: i})
	}
	return m
}

// head is a source and its next event. A Stamped source's events are
// ordered by the stamps it gives, any other's by stamps read here.
type head struct {
	src     Source
	stamped Stamped // src, if it is one
	index   int
	next    stamped
}

// read reads the source's next event.
func (hd *head) read() error {
	if hd.stamped != nil {
		e, s, err := hd.stamped.NextStamped()
		hd.next = stamped{e: e, s: s}
		return err
	}
	e, err := hd.src.Next()
	if err == nil {
		hd.next = stampOf(e)
	}
	return err
}

type merger struct {
	h       heads
	started bool
}

func (m *merger) start() error {
	m.started = true
	live := m.h[:0]
	for _, hd := range m.h {
		err := hd.read()
		if err == io.EOF {
			continue
		}
		if err != nil {
			return err
		}
		live = append(live, hd)
	}
	m.h = live
	for i := len(m.h)/2 - 1; i >= 0; i-- {
		m.h.down(i)
	}
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
	e := top.next.e
	switch err := top.read(); {
	case err == io.EOF:
		last := len(m.h) - 1
		m.h[0] = m.h[last]
		m.h[last] = head{}
		m.h = m.h[:last]
	case err != nil:
		return nil, err
	}
	m.h.down(0)
	return e, nil
}

// heads is a binary min-heap of the sources' next events, by (time, key,
// source index). Sifting is written out, not container/heap's: every
// event goes through it, and mostly stays on top (one input's run).
type heads []head

// less orders heads i and j: by time, key, then source.
func (h heads) less(i, j int) bool {
	if c := h[i].next.compare(h[j].next); c != 0 {
		return c < 0
	}
	return h[i].index < h[j].index
}

// down moves head i down to its place.
func (h heads) down(i int) {
	n := len(h)
	for {
		j := 2*i + 1
		if j >= n {
			return
		}
		if r := j + 1; r < n && h.less(r, j) {
			j = r
		}
		if !h.less(j, i) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
}
