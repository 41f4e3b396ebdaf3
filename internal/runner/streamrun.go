package runner

import (
	"errors"
	"io"
	"runtime"
	"slices"

	"github.com/vedette/vedette/internal/chunkread"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/merge"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/recycle"
)

// streamLimits bound what detect holds of its activity inputs at once.
type streamLimits struct {
	chunk  int // bytes of JSON lines per chunk
	depth  int // chunks read ahead of the pipeline, per input
	window int // events an input may be out of order by, all inputs together
	run    int // events sorted in memory before a run is spilled, all sorted inputs together
	// open is how many inputs are read at once: past it, the inputs are
	// merged open at a time, each group's events spilled to one run, and
	// the runs merged into the pipeline (a multi-pass merge).
	open int
	// fanIn is how many spilled runs a merge reads at once.
	fanIn int
}

// defaultLimits: a chunk of 1 MiB holds about 500 Entra records; an
// event costs about 700 bytes, so the windows hold at most about 23 MB
// and the sorted inputs' runs about 45 MB. At most 64 inputs are read at
// once, and at most 64 spilled runs merged at once.
var defaultLimits = streamLimits{chunk: 1 << 20, depth: 4, window: 1 << 15, run: 1 << 16, open: 64, fanIn: merge.DefaultFanIn}

// perInput divides the limits among the inputs read at once, n of them
// in all: the read-ahead stays about 16 MiB per input at most, fewer and
// smaller chunks when there are many. A zero open or fanIn is the
// default's.
func (l streamLimits) perInput(n int) streamLimits {
	if l.open <= 0 {
		l.open = defaultLimits.open
	}
	if l.fanIn <= 0 {
		l.fanIn = defaultLimits.fanIn
	}
	g := min(max(n, 1), l.open)
	l.window = max(l.window/g, 64)
	l.run = max(l.run/g, 1024)
	if g > 16 {
		l.depth = 2
		l.chunk = max(l.chunk*16/g, 64<<10)
	}
	return l
}

// recycledBatches is how many batches of released events (of
// recycle.BatchSize) wait for the decoders at most: they take them as
// fast as the pipeline releases, so the pool is near empty but at the
// end of a run.
const recycledBatches = 16

// aheadEvents is how many events process reads ahead, for the pipeline
// to prefetch their state (see merge.Ahead).
const aheadEvents = 16

// orderError is an input found out of order within its window.
type orderError struct {
	index int
	err   error
}

func (e *orderError) Error() string { return e.err.Error() }
func (e *orderError) Unwrap() error { return e.err }

// detectActivity runs the activity pipeline over the inputs' events in
// event time order, as a stable sort of all of them by (time, key) would
// give, without holding them: the inputs are read in parallel, each
// through a bounded window, and merged (package merge). An input out of
// order beyond its window is only found out as it is read: the run then
// starts over from the stored baselines, with that input sorted (spilling
// to disk), and the alerts of the abandoned attempt, held back until then,
// are dropped. Inputs that cannot be read twice (a pipe, standard input)
// make every input sorted from the start.
func (env *Env) detectActivity(sources []*source, c *collector, opts Options) error {
	lim := defaultLimits
	if opts.limits != nil {
		lim = *opts.limits
	}
	lim = lim.perInput(len(sources))
	logs := make([]*inputLog, len(sources))
	sorted := make([]bool, len(sources))
	pipe := slices.ContainsFunc(sources, func(s *source) bool { return s.in != nil })
	for i := range sources {
		logs[i] = &inputLog{c: c}
		sorted[i] = pipe
	}
	snap := c.snapshot()
	prog := newProgress(opts.Progress, &c.sum.Read, opts.progressEvery)
	grouped := false
	for {
		err := env.streamActivity(sources, c, logs, plan{sorted, grouped}, lim, prog)
		var oe *orderError
		switch {
		case errors.Is(err, errOverlap):
			env.log.Info("more activity inputs overlap in time than are read at once: merging them in groups spilled to disk, and starting over",
				"inputs", len(sources), "at_once", lim.open)
			grouped = true
		case errors.As(err, &oe):
			env.log.Info("activity input out of order: sorting it, and starting over", "source", sources[oe.index].name, "err", oe.err)
			sorted[oe.index] = true
			c.sum.Sorted = append(c.sum.Sorted, sources[oe.index].name)
		default:
			for _, l := range logs {
				for _, r := range l.examples {
					if len(c.sum.Examples) < 5 {
						c.sum.Examples = append(c.sum.Examples, r)
					}
				}
			}
			return err
		}
		c.restore(snap)
		for _, l := range logs {
			l.restart()
		}
		if err := env.loadBaselines(); err != nil {
			return err
		}
	}
}

// plan is how an attempt reads the inputs.
type plan struct {
	sorted  []bool // by input: sorted, else windowed
	grouped bool   // merged in groups spilled to disk
}

// streamActivity is one attempt of detectActivity. The inputs are merged
// into the pipeline, at most lim.open read at once: those past it wait,
// their first event peeked, until the merge reaches that event (see
// lazyInput); if it then finds lim.open inputs still open, it gives up
// (errOverlap) and the next attempt is grouped. So it is when inputs
// past lim.open are to be sorted, which are read whole. Grouped, every
// lim.open consecutive inputs are merged into one run on disk, and the
// runs merged into the pipeline: a group's run holds its inputs' events
// in the order of their merge, so the runs merged give the order of all
// inputs merged at once.
func (env *Env) streamActivity(sources []*source, c *collector, logs []*inputLog, p plan, lim streamLimits, prog *progress) error {
	pool := chunkread.NewPool(runtime.GOMAXPROCS(0))
	defer pool.Close()
	// The events the pipeline is done with go back to the decoders.
	rec := recycle.New(recycledBatches)
	decoders := make([]*normalize.LineDecoder, pool.Workers())
	for i := range decoders {
		decoders[i] = normalize.NewLineDecoder()
		decoders[i].Reuse(rec)
	}
	g := &group{env: env, c: c, logs: logs, sorted: p.sorted, lim: lim, pool: pool, decoders: decoders, prog: prog, rec: rec}
	defer g.close()
	switch {
	case len(sources) <= lim.open:
		return env.process(merge.Merge(g.open(sources, 0)), &g.windows, c.sum, prog, rec)
	case !p.grouped && !slices.Contains(p.sorted, true):
		return env.process(merge.Merge(g.lazy(sources)), &g.windows, c.sum, prog, rec)
	}
	runs := merge.NewRuns(env.cfg.DataDir, lim.fanIn)
	defer func() {
		c.sum.MergedRuns += runs.Written + runs.Merged
		if err := runs.Close(); err != nil {
			env.log.Warn("merge spill files", "err", err)
		}
	}()
	for start := 0; start < len(sources); start += lim.open {
		end := min(start+lim.open, len(sources))
		err := runs.Add(merge.Merge(g.open(sources[start:end], start)))
		g.close()
		if err != nil {
			return err
		}
	}
	out, err := runs.Merge()
	if err != nil {
		return err
	}
	none := 0
	return env.process(out, &none, c.sum, prog, nil)
}

// process runs the pipeline over the merged events. The alerts are held
// back while an input may still turn out to be out of order (*windows
// inputs not read to the end): the attempt may yet be abandoned. Each
// event is released into rec once processed (nil: none is): nothing
// keeps it, or a pointer into it, past Process (docs/ARCHITECTURE.md,
// "Event lifetime in detect").
func (env *Env) process(events merge.Source, windows *int, sum *Summary, prog *progress, rec *recycle.Pool) error {
	p := env.Pipeline()
	// The pipeline prefetches the state of the events read ahead.
	events = merge.Ahead(events, aheadEvents, p.Prefetch)
	b := &alertBatches{env: env, sum: sum, hold: *windows > 0}
	prog.processed = 0
	for {
		e, err := events.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		recycle.Check(e)
		alerts := p.Process(e)
		rec.Release(e)
		recycle.CheckAlerts(alerts)
		if err := b.add(alerts); err != nil {
			return err
		}
		if b.hold && *windows == 0 {
			if err := b.release(); err != nil {
				return err
			}
		}
		prog.processedOne()
	}
	prog.done()
	sum.Pipeline = p.Stats()
	if err := b.cut(); err != nil {
		return err
	}
	return b.release()
}

// ordered tags a window's failure with its input's index.
type ordered struct {
	*merge.Window
	index int
}

func (o ordered) Next() (*event.Event, error) {
	e, _, err := o.NextStamped()
	return e, err
}

// NextStamped implements merge.Stamped (the window's, with the failure
// tagged).
func (o ordered) NextStamped() (*event.Event, merge.Stamp, error) {
	e, s, err := o.Window.NextStamped()
	if err != nil && err != io.EOF {
		return nil, s, &orderError{index: o.index, err: err}
	}
	return e, s, err
}

// openActivityInput opens an input and starts reading it: JSON lines in
// chunks on the pool, anything else with normalize.Read. An input that
// cannot be opened is counted as failed and yields nothing.
func (env *Env) openActivityInput(s *source, log *inputLog, pool *chunkread.Pool, decoders []*normalize.LineDecoder, lim streamLimits, rec *recycle.Pool) *activityInput {
	a := &activityInput{env: env, s: s, log: log, gate: env.newGate(), decoders: decoders, pool: pool, first: s.first, rec: rec}
	in, err := s.open()
	if err != nil {
		log.failed(s.name, err, env)
		a.done = true
		return a
	}
	a.in = in
	if normalize.JSONLines(in.Head()) {
		a.stream = env.readLines(pool, decoders, in, s.first, lim.chunk, lim.depth)
	} else {
		a.stream = readWhole(in, s.first, lim.depth)
	}
	return a
}
