// Package recycle hands the events `vedette detect` is done with back to
// the decoders that build them, so that a run does not allocate, and the
// collector does not scan and free, an event per record: about 440 bytes
// of pointer-rich memory each, three quarters of what detect allocated.
//
// The rule (docs/ARCHITECTURE.md, "Event lifetime in detect"): an event
// released here is never read or written again by whoever released it,
// and nothing may keep a pointer to it or into it (an alert's evidence
// copies what it shows). Strings the event referred to are not recycled:
// only the struct is.
package recycle

import "github.com/vedette/vedette/internal/event"

// BatchSize is how many events are handed back at a time: the channel
// operations are paid once a batch.
const BatchSize = 256

// Pool passes released events from the goroutine that releases them (the
// pipeline's, one) to the decoders (any number, each taking whole
// batches). It holds at most the batches it was made for: past that,
// released events are left to the collector.
type Pool struct {
	full  chan []*event.Event // batches of released events
	empty chan []*event.Event // batches taken and emptied, to fill again
	cur   []*event.Event      // the releasing goroutine's batch
	q     quarantine          // empty unless built with the vedettepoison tag
}

// New returns a pool holding at most batches batches of released events.
func New(batches int) *Pool {
	batches = max(batches, 1)
	return &Pool{
		full:  make(chan []*event.Event, batches),
		empty: make(chan []*event.Event, batches),
		cur:   make([]*event.Event, 0, BatchSize),
	}
}

// Release hands e back: the caller is done with it, and so is anything
// else (see the package's rule). Only one goroutine may release into a
// pool. A nil pool releases nothing.
func (p *Pool) Release(e *event.Event) {
	if p == nil {
		return
	}
	if e = p.q.hold(e); e == nil {
		return
	}
	p.cur = append(p.cur, e)
	if len(p.cur) == BatchSize {
		p.flush()
	}
}

// flush passes the current batch on (or drops it when the pool is full)
// and starts another.
func (p *Pool) flush() {
	select {
	case p.full <- p.cur:
	default:
		clear(p.cur)
	}
	select {
	case b := <-p.empty:
		p.cur = b
	default:
		p.cur = make([]*event.Event, 0, BatchSize)
	}
}

// Take returns a batch of released events, or nil when none is waiting;
// it never blocks. used, the caller's previous batch, emptied, is kept to
// be filled again when a batch is returned. Events taken hold what they
// held when released: the taker zeroes each before use. Safe for
// concurrent use by any number of takers.
func (p *Pool) Take(used []*event.Event) []*event.Event {
	select {
	case b := <-p.full:
		if cap(used) == BatchSize {
			select {
			case p.empty <- used[:0]:
			default:
			}
		}
		return b
	default:
		return nil
	}
}
