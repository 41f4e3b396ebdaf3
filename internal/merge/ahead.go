package merge

import "github.com/vedette/vedette/internal/event"

// Ahead yields the events of src, reading them n at a time and passing
// each batch to prefetch before yielding any of it: the pipeline loads
// the state a batch's events will need together, so that those loads
// overlap instead of each waiting in turn (see pipeline.Prefetch). The
// events and the error of src come in the same order; events read before
// src's error are yielded before it.
func Ahead(src Source, n int, prefetch func([]*event.Event)) Source {
	return &ahead{src: src, prefetch: prefetch, batch: make([]*event.Event, 0, max(n, 1))}
}

type ahead struct {
	src      Source
	prefetch func([]*event.Event)
	batch    []*event.Event
	next     int   // index in batch of the next event to yield
	err      error // src's, once it returned one
}

// Next implements Source.
func (a *ahead) Next() (*event.Event, error) {
	if a.next == len(a.batch) {
		a.fill()
	}
	if a.next == len(a.batch) {
		return nil, a.err
	}
	e := a.batch[a.next]
	a.batch[a.next] = nil
	a.next++
	return e, nil
}

// fill reads the next batch and has it prefetched.
func (a *ahead) fill() {
	a.batch, a.next = a.batch[:0], 0
	for a.err == nil && len(a.batch) < cap(a.batch) {
		e, err := a.src.Next()
		if err != nil {
			a.err = err
			break
		}
		a.batch = append(a.batch, e)
	}
	if len(a.batch) > 0 {
		a.prefetch(a.batch)
	}
}
