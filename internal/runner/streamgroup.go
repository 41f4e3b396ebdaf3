package runner

import (
	"errors"

	"github.com/vedette/vedette/internal/chunkread"
	"github.com/vedette/vedette/internal/merge"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/recycle"
)

// errOverlap ends an attempt that would read more inputs at once than
// streamLimits.open: the next one merges them in groups.
var errOverlap = errors.New("more activity inputs overlap in time than are read at once")

// group is the inputs of an attempt read together: all of them (open, or
// lazy past lim.open), or a group of consecutive ones (open).
type group struct {
	env      *Env
	c        *collector
	logs     []*inputLog
	sorted   []bool
	lim      streamLimits
	pool     *chunkread.Pool
	decoders []*normalize.LineDecoder
	prog     *progress
	rec      *recycle.Pool // where events the time gate rejects go
	inputs   []*activityInput
	sorts    []*merge.Sorted
	windows  int // windowed inputs not read to their end
	// live are the waiting inputs open now (see lazyInput).
	live []*lazyInput
}

// open opens sources, the first of them the attempt's input number
// first, and returns them ready to merge: each windowed, or sorted.
func (g *group) open(sources []*source, first int) []merge.Source {
	srcs := make([]merge.Source, len(sources))
	for i, s := range sources {
		srcs[i] = g.input(first+i, s, sources, first)
	}
	return srcs
}

// input opens input i, windowed or sorted; its group is sources, the
// first of them input first.
func (g *group) input(i int, s *source, sources []*source, first int) merge.Source {
	if !g.sorted[i] {
		g.windows++
		return g.windowed(i, s)
	}
	a := g.activity(s, g.logs[i])
	nsorted := 0
	for j := range sources {
		if g.sorted[first+j] {
			nsorted++
		}
	}
	// The sorted inputs' runs share the fan-in.
	st := merge.Sort(a, g.lim.run, g.env.cfg.DataDir, g.lim.fanIn/nsorted)
	g.sorts = append(g.sorts, st)
	return st
}

// activity opens an input.
func (g *group) activity(s *source, log *inputLog) *activityInput {
	a := g.env.openActivityInput(s, log, g.pool, g.decoders, g.lim, g.rec)
	a.read, a.prog = &g.c.sum.Read, g.prog
	g.inputs = append(g.inputs, a)
	return a
}

// windowed opens input i through its window, counted in g.windows until
// read to its end.
func (g *group) windowed(i int, s *source) merge.Source {
	w := merge.NewWindow(g.activity(s, g.logs[i]), g.lim.window)
	w.Done = func() { g.windows-- }
	return ordered{w, i}
}

// close stops reading the inputs and removes the spill files.
func (g *group) close() {
	for _, a := range g.inputs {
		a.close()
	}
	for _, s := range g.sorts {
		g.c.sum.SpilledRuns += s.Spilled
		g.c.sum.MergedRuns += s.Merged
		if err := s.Close(); err != nil {
			g.env.log.Warn("sort spill files", "err", err)
		}
	}
	g.inputs, g.sorts = nil, nil
}
