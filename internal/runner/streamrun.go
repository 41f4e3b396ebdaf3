package runner

import (
	"errors"
	"io"
	"maps"
	"runtime"
	"slices"

	"github.com/vedette/vedette/internal/chunkread"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/merge"
	"github.com/vedette/vedette/internal/normalize"
)

// streamLimits bound what detect holds of its activity inputs at once.
type streamLimits struct {
	chunk  int // bytes of JSON lines per chunk
	depth  int // chunks read ahead of the pipeline, per input
	window int // events an input may be out of order by, all inputs together
	run    int // events sorted in memory before a run is spilled, per sorted input
}

// defaultLimits: a chunk of 1 MiB holds about 500 Entra records; an
// event costs about 700 bytes, so the windows hold at most about 23 MB
// and a sorted input's run about 45 MB.
var defaultLimits = streamLimits{chunk: 1 << 20, depth: 4, window: 1 << 15, run: 1 << 16}

// perInput divides the limits among n inputs: the read-ahead stays about
// 16 MiB per input at most, fewer and smaller chunks when there are many.
func (l streamLimits) perInput(n int) streamLimits {
	n = max(n, 1)
	l.window = max(l.window/n, 64)
	if n > 16 {
		l.depth = 2
		l.chunk = max(l.chunk*16/n, 64<<10)
	}
	return l
}

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
	for {
		err := env.streamActivity(sources, c, logs, sorted, lim, opts)
		var oe *orderError
		if !errors.As(err, &oe) {
			for _, l := range logs {
				for _, r := range l.examples {
					if len(c.sum.Examples) < 5 {
						c.sum.Examples = append(c.sum.Examples, r)
					}
				}
			}
			return err
		}
		env.log.Info("activity input out of order: sorting it, and starting over", "source", sources[oe.index].name, "err", oe.err)
		sorted[oe.index] = true
		c.sum.Sorted = append(c.sum.Sorted, sources[oe.index].name)
		c.restore(snap)
		for _, l := range logs {
			l.restart()
		}
		if err := env.loadBaselines(); err != nil {
			return err
		}
	}
}

// streamActivity is one attempt of detectActivity.
func (env *Env) streamActivity(sources []*source, c *collector, logs []*inputLog, sorted []bool, lim streamLimits, opts Options) error {
	pool := chunkread.NewPool(runtime.GOMAXPROCS(0))
	defer pool.Close()
	decoders := make([]*normalize.LineDecoder, pool.Workers())
	for i := range decoders {
		decoders[i] = normalize.NewLineDecoder()
	}
	srcs := make([]merge.Source, len(sources))
	windows := 0
	var inputs []*activityInput
	var sorts []*merge.Sorted
	defer func() {
		for _, a := range inputs {
			a.close()
		}
		for _, s := range sorts {
			c.sum.SpilledRuns += s.Spilled
			if err := s.Close(); err != nil {
				env.log.Warn("sort spill files", "err", err)
			}
		}
	}()
	for i, s := range sources {
		a := env.openActivityInput(s, logs[i], pool, decoders, lim)
		a.read = &c.sum.Read
		inputs = append(inputs, a)
		if sorted[i] {
			st := merge.Sort(a, lim.run, env.cfg.DataDir)
			sorts = append(sorts, st)
			srcs[i] = st
			continue
		}
		w := merge.NewWindow(a, lim.window)
		w.Done = func() { windows-- }
		windows++
		srcs[i] = ordered{w, i}
	}
	return env.process(merge.Merge(srcs), &windows, c.sum, opts)
}

// process runs the pipeline over the merged events. The alerts are held
// back while an input may still turn out to be out of order (*windows
// inputs not read to the end): the attempt may yet be abandoned.
func (env *Env) process(events merge.Source, windows *int, sum *Summary, opts Options) error {
	p := env.Pipeline()
	b := &alertBatches{env: env, sum: sum, hold: *windows > 0}
	prog := newProgress(opts.Progress, "processed", 0)
	n := 0
	for {
		e, err := events.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if err := b.add(p.Process(e)); err != nil {
			return err
		}
		if b.hold && *windows == 0 {
			if err := b.release(); err != nil {
				return err
			}
		}
		n++
		prog.tick(n)
	}
	prog.done(n)
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
	e, err := o.Window.Next()
	if err != nil && err != io.EOF {
		return nil, &orderError{index: o.index, err: err}
	}
	return e, err
}

// openActivityInput opens an input and starts reading it: JSON lines in
// chunks on the pool, anything else with normalize.Read. An input that
// cannot be opened is counted as failed and yields nothing.
func (env *Env) openActivityInput(s *source, log *inputLog, pool *chunkread.Pool, decoders []*normalize.LineDecoder, lim streamLimits) *activityInput {
	a := &activityInput{env: env, s: s, log: log, gate: env.newGate(), decoders: decoders, pool: pool, first: s.first}
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

// alertBatches stores the pipeline's alerts in batches of at least 256,
// as they come, or holds the batches back until released.
type alertBatches struct {
	env     *Env
	sum     *Summary
	pending []event.Alert
	held    [][]event.Alert
	hold    bool
}

func (b *alertBatches) add(alerts []event.Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	b.pending = append(b.pending, alerts...)
	if len(b.pending) >= 256 {
		return b.cut()
	}
	return nil
}

// cut ends the current batch.
func (b *alertBatches) cut() error {
	if len(b.pending) == 0 {
		return nil
	}
	if b.hold {
		b.held = append(b.held, b.pending)
		b.pending = nil
		return nil
	}
	err := b.env.emit(b.pending, b.sum)
	b.pending = b.pending[:0]
	return err
}

// release stores the batches held back, and the next ones as they come.
func (b *alertBatches) release() error {
	b.hold = false
	for i, batch := range b.held {
		if err := b.env.emit(batch, b.sum); err != nil {
			return err
		}
		b.held[i] = nil
	}
	b.held = nil
	return nil
}

// collectorSnapshot is what an abandoned attempt of detectActivity rolls
// back.
type collectorSnapshot struct {
	rejected map[string]int
	formats  map[string]string
	examples []normalize.Rejection
	read     int
	failed   int
}

func (c *collector) snapshot() collectorSnapshot {
	return collectorSnapshot{rejected: maps.Clone(c.sum.Rejected), formats: maps.Clone(c.sum.Formats),
		examples: slices.Clone(c.sum.Examples), read: c.sum.Read, failed: c.failed}
}

func (c *collector) restore(s collectorSnapshot) {
	c.sum.Rejected, c.sum.Formats = maps.Clone(s.rejected), maps.Clone(s.formats)
	c.sum.Examples, c.sum.Read, c.failed = slices.Clone(s.examples), s.read, s.failed
}
