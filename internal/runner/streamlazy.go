package runner

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/merge"
)

// lazyInput is an input of an attempt with more than lim.open inputs
// (all windowed), of which at most lim.open are open at once: a
// descriptor, a reader with its read-ahead and a window each. The first
// lim.open are opened at once; each of the others is peeked, its first
// event (through its window) read and the input closed again, the merge
// holding that event only. When the merge takes that first event, the
// input is opened again and read from its second. With lim.open open,
// one that has given the merge nothing but its first event is closed
// again (parked) to make room; when none can be, more inputs overlap in
// time than may be read at once, and the attempt gives up (errOverlap).
// Inputs in time order one after another (a file a day) are thus read a
// few at a time, at the cost of reading the first chunk of some twice.
type lazyInput struct {
	g     *group
	index int
	s     *source
	src   merge.Source // open; nil while waiting
	a     *activityInput
	first *event.Event // peeked, not yet taken
	// seen: the first event was taken, and is known by these; started:
	// so was another, and the input cannot be parked.
	seen, started bool
	time          time.Time
	key           string
	record        int
	doneOnce      bool
	err           error // what ended it (io.EOF at its end)
}

// lazy returns the inputs ready to merge, the first lim.open open and
// the others peeked.
func (g *group) lazy(sources []*source) []merge.Source {
	srcs := make([]merge.Source, len(sources))
	for i, s := range sources {
		l := &lazyInput{g: g, index: i, s: s}
		g.windows++
		if i < g.lim.open {
			l.open()
		} else {
			l.peek()
		}
		srcs[i] = l
	}
	return srcs
}

// peek reads the input's first event. An input with no event is read
// again at once, for its rejections, failure and format.
func (l *lazyInput) peek() {
	g := l.g
	scratch := &inputLog{c: &collector{sum: &Summary{Rejected: map[string]int{}, Formats: map[string]string{}}}, peek: true}
	a := g.env.openActivityInput(l.s, scratch, g.pool, g.decoders, g.lim, g.rec)
	a.read = new(int)
	first, err := merge.NewWindow(a, g.lim.window).Next()
	a.close()
	if err == nil {
		l.first, l.seen = first, true
		l.time, l.key, l.record = first.Time, first.Key, first.Origin.Record
		return
	}
	// io.EOF: a window fails only past its first event.
	l.open()
	if _, err := l.src.Next(); err != io.EOF {
		l.end(l.changed())
		return
	}
	l.end(io.EOF)
}

// open opens the input, through its window.
func (l *lazyInput) open() {
	log := l.g.logs[l.index]
	log.reread()
	l.a = l.g.activity(l.s, log)
	w := merge.NewWindow(l.a, l.g.lim.window)
	w.Done = func() {
		if !l.doneOnce { // read whole once, it reads whole again
			l.doneOnce = true
			l.g.windows--
		}
	}
	l.src = ordered{w, l.index}
	l.g.live = append(l.g.live, l)
}

// Next implements merge.Source.
func (l *lazyInput) Next() (*event.Event, error) {
	switch {
	case l.err != nil:
		return nil, l.err
	case l.first != nil:
		e := l.first
		l.first = nil
		return e, nil
	case l.src == nil:
		if err := l.reopen(); err != nil {
			l.end(err)
			return nil, err
		}
	}
	e, err := l.src.Next()
	switch {
	case err != nil:
		l.end(err)
	case !l.seen:
		l.seen = true
		l.time, l.key, l.record = e.Time, e.Key, e.Origin.Record
	default:
		l.started = true
	}
	return e, err
}

// reopen opens a peeked or parked input again, past its first event.
func (l *lazyInput) reopen() error {
	if len(l.g.live) >= l.g.lim.open && !l.g.park() {
		return errOverlap
	}
	l.open()
	e, err := l.src.Next()
	if err != nil || !e.Time.Equal(l.time) || e.Key != l.key || e.Origin.Record != l.record {
		return l.changed()
	}
	return nil
}

// park closes an open input that has given only its first event, the
// one whose next event is furthest: false if there is none.
func (g *group) park() bool {
	best := -1
	for i, l := range g.live {
		if l.seen && !l.started && (best < 0 || merge.Less(g.live[best].peekNext(), l.peekNext())) {
			best = i
		}
	}
	if best < 0 {
		return false
	}
	l := g.live[best]
	l.close()
	l.src = nil
	return true
}

// peekNext is what the input's next event is known to be at least: its
// first one.
func (l *lazyInput) peekNext() *event.Event {
	return &event.Event{Time: l.time, Key: l.key}
}

// end ends the input with err.
func (l *lazyInput) end(err error) {
	l.err = err
	l.close()
}

// close closes the input if open.
func (l *lazyInput) close() {
	if i := slices.Index(l.g.live, l); i >= 0 {
		l.g.live = slices.Delete(l.g.live, i, i+1)
	}
	if l.a != nil {
		l.a.close()
		l.a = nil
	}
}

// changed is the error of an input whose first event, read again, is not
// what it was (the input is being written, or was replaced).
func (l *lazyInput) changed() error {
	return fmt.Errorf("runner: activity input %s changed while being read", l.s.name)
}
