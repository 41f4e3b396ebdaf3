package pipeline

import (
	"unsafe"

	"github.com/vedette/vedette/internal/event"
)

// cacheLine is the processor's cache line size on the machines Vedette
// runs on (amd64, arm64 servers).
const cacheLine = 64

// Prefetch loads what Process will read first for events, the next ones
// to be processed, without changing anything: the events themselves and
// their principals' state. Their loads overlap instead of each waiting
// in turn when Process comes to it. An event was decoded on another
// core, so each of its cache lines Process reads would otherwise be a
// miss of its own; a principal's state is read every few thousand events,
// and the records decoded in between push it out of the cache.
func (p *Pipeline) Prefetch(events []*event.Event) {
	for _, e := range events {
		p.sink += touchEvent(e)
	}
	for _, e := range events {
		i, loads := p.base.Touch(e)
		p.sink += loads + p.fixes.touch(e.Tenant, i)
	}
}

// touchEvent reads a byte of each cache line of e.
func touchEvent(e *event.Event) uint64 {
	var sum uint64
	base := unsafe.Pointer(e)
	for off := uintptr(0); off < unsafe.Sizeof(*e); off += cacheLine {
		sum += uint64(*(*byte)(unsafe.Add(base, off)))
	}
	return sum
}
