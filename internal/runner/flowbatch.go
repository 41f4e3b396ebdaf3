package runner

import (
	"sync"

	"github.com/vedette/vedette/internal/flow"
)

// flowBatches recycles the copies of the collector's records that travel
// from its reading goroutine to the engine's: at a million flows a second
// a fresh copy of each datagram's records was some 250 MB/s of garbage,
// and the collection it caused stalled the reader while the kernel's
// receive buffer filled. The engine must not keep a record (Observe copies
// what it needs).
type flowBatches struct{ pool sync.Pool }

// copy returns rs copied into a recycled slice.
func (p *flowBatches) copy(rs []flow.Record) []flow.Record {
	if b, ok := p.pool.Get().(*[]flow.Record); ok {
		return append((*b)[:0], rs...)
	}
	return append(make([]flow.Record, 0, max(len(rs), 32)), rs...)
}

// put recycles a batch the engine is done with.
func (p *flowBatches) put(rs []flow.Record) {
	clear(rs) // drop the strings it holds
	rs = rs[:0]
	p.pool.Put(&rs)
}
