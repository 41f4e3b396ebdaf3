package runner

import (
	"sync"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/pipeline"
)

// enrichers are the pipeline.Enrichers of detect's decode workers, by
// worker: each enriches the events of the chunks its worker decodes, so
// that location, network and IP-list lookups run in parallel and the
// pipeline's goroutine finds them done. They outlive an attempt: what they
// cache depends only on the lookup tables.
type enrichers struct {
	mu  sync.Mutex
	all []*pipeline.Enricher
}

// workerEnrichers returns n enrichers, one per decode worker.
func (env *Env) workerEnrichers(n int) []*pipeline.Enricher {
	x := &env.enrichers
	x.mu.Lock()
	defer x.mu.Unlock()
	for len(x.all) < n {
		x.all = append(x.all, pipeline.NewEnricher(env.pipelineOptions(), env.pipelineDeps()))
	}
	return x.all[:n:n]
}

// enrichAll enriches events ahead of the pipeline.
func enrichAll(x *pipeline.Enricher, events []*event.Event) {
	x.EnrichAll(events)
}
