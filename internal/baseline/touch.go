package baseline

import (
	"unsafe"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/prefetch"
)

// Touch loads what Learn and the detections read of e's principal (each
// cache line of its state, and its marks), without changing anything, and returns the
// principal's index + 1 (0 if it was not looked at) and a value made of
// the loads. Called for a batch of events before processing
// them, it lets the loads of the batch's principals overlap instead of
// each waiting in turn: a principal's state is read every few thousand
// events, and the records decoded in between push it out of the
// processor's cache. Only the tenant of the last event learned, and
// principals its name cache holds, are looked at.
func (b *Baselines) Touch(e *event.Event) (index uint32, loads uint64) {
	if !b.isLast(e.Tenant) {
		return 0, 0
	}
	t := b.last
	i, ok := t.names.peek(e.Principal)
	if !ok || int(i) >= len(t.Principals) {
		return 0, 0
	}
	p := &t.Principals[i]
	loads = prefetch.Lines(p)
	if len(p.Name) > 0 { // what Lookup compares to confirm the cached index
		loads += uint64(*unsafe.StringData(p.Name))
	}
	if c := b.lastCache; len(c.marks) > 0 {
		loads += uint64(c.marks[i&uint32(len(c.marks)-1)].owner)
	}
	return i + 1, loads
}
