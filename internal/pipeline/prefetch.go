package pipeline

import (
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/prefetch"
)

// Prefetch loads what Process will read first for events, the next ones
// to be processed, without changing anything: the events themselves and
// their principals' state. Their loads overlap instead of each waiting
// in turn when Process comes to it. An event was decoded on another
// core, so each of its cache lines Process reads would otherwise be a
// miss of its own; a principal's state is read every few thousand events,
// and the records decoded in between push it out of the cache.
func (p *Pipeline) Prefetch(events []*event.Event) {
	for _, e := range events {
		p.sink += prefetch.Lines(e)
	}
	for _, e := range events {
		i, loads := p.base.Touch(e)
		p.sink += loads + p.fixes.touch(e.Tenant, i)
	}
}
