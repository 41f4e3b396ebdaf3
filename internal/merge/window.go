package merge

import (
	"fmt"
	"io"
	"slices"

	"github.com/vedette/vedette/internal/event"
)

// Window orders a source that is in order but for events at most size
// events early or late. It holds the last size events in order and
// releases the oldest as each new one arrives. An event older than one
// already released fails the window with ErrOrder: nothing it released
// can be taken back.
type Window struct {
	src  Source
	size int
	buf  []stamped // held, in order, from buf[off]
	off  int
	// last is the stamp and key of the last event released, not the
	// event: its consumer may recycle it (docs/ARCHITECTURE.md, "Event
	// lifetime in detect").
	last     Stamp
	lastKey  string
	released bool
	eof      bool
	// Done, when set, is called once the source is exhausted: from then
	// on the window can no longer fail.
	Done func()
}

// NewWindow returns a window of size events over src.
func NewWindow(src Source, size int) *Window {
	return &Window{src: src, size: max(size, 1)}
}

// Next implements Source.
func (w *Window) Next() (*event.Event, error) {
	e, _, err := w.NextStamped()
	return e, err
}

// NextStamped implements Stamped: the stamp was taken as the event came
// in.
func (w *Window) NextStamped() (*event.Event, Stamp, error) {
	for !w.eof && len(w.buf)-w.off <= w.size {
		e, err := w.src.Next()
		if err == io.EOF {
			w.eof = true
			if w.Done != nil {
				w.Done()
			}
			break
		}
		if err != nil {
			return nil, Stamp{}, err
		}
		in := stampOf(e)
		if w.released && in.before(w.last, w.lastKey) {
			return nil, Stamp{}, fmt.Errorf("%w: an event of %s is older than one %d events before it", ErrOrder, e.Time.UTC().Format("2006-01-02T15:04:05Z"), w.size)
		}
		w.insert(in)
	}
	if w.off == len(w.buf) {
		return nil, Stamp{}, io.EOF
	}
	out := w.buf[w.off]
	w.buf[w.off] = stamped{}
	w.off++
	w.last, w.lastKey, w.released = out.s, out.e.Key, true
	if w.off > len(w.buf)/2 && w.off > 1024 {
		n := copy(w.buf, w.buf[w.off:])
		clear(w.buf[n:])
		w.buf, w.off = w.buf[:n], 0
	}
	return out.e, out.s, nil
}

// insert places e after every held event not newer than it: arrival order
// breaks ties, as a stable sort does.
func (w *Window) insert(e stamped) {
	n := len(w.buf)
	if n == w.off || e.compare(w.buf[n-1]) >= 0 {
		w.buf = append(w.buf, e)
		return
	}
	i, _ := slices.BinarySearchFunc(w.buf[w.off:], e, func(held, e stamped) int {
		if e.compare(held) < 0 {
			return 1
		}
		return -1
	})
	w.buf = slices.Insert(w.buf, w.off+i, e)
}
