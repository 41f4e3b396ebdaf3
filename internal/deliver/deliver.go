// Package deliver is the one delivery loop behind every output: it reads the
// store's outbox after each output's cursor, filters, batches, sends through
// the output's notifier with a timeout, retries with exponential backoff and
// jitter, dead-letters what an output gives up on (with the reason), and only
// then moves the cursor. Delivery is at least once: a crash between sending
// and moving the cursor sends the batch again after the restart, and
// receivers drop duplicates by alert ID and change sequence. Each output has
// its own goroutine, so a slow or failing receiver holds back only itself,
// and its changes keep their order.
package deliver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// Outbox is the part of the store the loop consumes (store.Store implements it).
type Outbox interface {
	// OutboxAfter returns up to limit changes with Seq > after, in Seq order.
	OutboxAfter(ctx context.Context, after int64, limit int) ([]event.Change, error)
	// Cursor returns the last Seq delivered to output (0 if none).
	Cursor(ctx context.Context, output string) (int64, error)
	// SetCursor records that output delivered everything up to seq.
	SetCursor(ctx context.Context, output string, seq int64) error
	// AddDeadLetter records a change an output gave up on, with the reason.
	AddDeadLetter(ctx context.Context, output string, c event.Change, attempts int, reason string) error
}

// Notifier sends a batch, in order, and says whether a failure is worth
// retrying (the shape of every internal/notify integration).
type Notifier interface {
	Notify(ctx context.Context, changes []event.Change) (retry bool, err error)
}

// Output is one configured destination.
type Output struct {
	Name     string
	Notifier Notifier
	Filter   Filter
	Policy   Policy
}

// Policy is how an output is fed.
type Policy struct {
	BatchSize   int           // changes per Notify; default 100
	Timeout     time.Duration // per Notify call; default 30s
	MaxAttempts int           // attempts before a dead letter; default 10
	MinBackoff  time.Duration // first retry delay; default 1s, doubling
	MaxBackoff  time.Duration // cap of the retry delay; default 5m
	Poll        time.Duration // how often a caught-up output looks again; default 1s
}

// DefaultPolicy returns the defaults above.
func DefaultPolicy() Policy {
	return Policy{BatchSize: 100, Timeout: 30 * time.Second, MaxAttempts: 10,
		MinBackoff: time.Second, MaxBackoff: 5 * time.Minute, Poll: time.Second}
}

// withDefaults fills the zero fields of p.
func (p Policy) withDefaults() Policy {
	d := DefaultPolicy()
	if p.BatchSize <= 0 {
		p.BatchSize = d.BatchSize
	}
	if p.Timeout <= 0 {
		p.Timeout = d.Timeout
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = d.MinBackoff
	}
	if p.MaxBackoff < p.MinBackoff {
		p.MaxBackoff = max(d.MaxBackoff, p.MinBackoff)
	}
	if p.Poll <= 0 {
		p.Poll = d.Poll
	}
	return p
}

// Backoff is the delay before retry number attempt (1 for the first retry):
// MinBackoff doubled per attempt, capped at MaxBackoff, with "equal jitter"
// (a uniform draw in the upper half) so receivers recovering from an outage
// are not hit by every sender at once. jitter is in [0, 1).
func (p Policy) Backoff(attempt int, jitter float64) time.Duration {
	d := p.MinBackoff
	for i := 1; i < attempt && d < p.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.MaxBackoff)
	return d/2 + time.Duration(jitter*float64(d/2))
}

// Deps are the loop's collaborators.
type Deps struct {
	Log     *slog.Logger
	Metrics *Metrics         // nil: metrics are not collected
	Now     func() time.Time // clock for the lag; nil: time.Now
	Jitter  func() float64   // nil: math/rand/v2
}

// Deliverer runs the outputs.
type Deliverer struct {
	workers []*worker
}

// New prepares delivery of outbox to outputs. Names must be unique: each
// output's cursor is stored under its name.
func New(outbox Outbox, outputs []Output, deps Deps) (*Deliverer, error) {
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Jitter == nil {
		deps.Jitter = rand.Float64
	}
	d := &Deliverer{}
	seen := map[string]bool{}
	for _, o := range outputs {
		if o.Name == "" || seen[o.Name] {
			return nil, fmt.Errorf("deliver: output name %q is empty or repeated", o.Name)
		}
		seen[o.Name] = true
		o.Policy = o.Policy.withDefaults()
		d.workers = append(d.workers, &worker{
			out: o, outbox: outbox, deps: deps, wake: make(chan struct{}, 1),
			log: deps.Log.With("output", o.Name), m: deps.Metrics.forOutput(o.Name),
		})
	}
	return d, nil
}

// Wake tells caught-up outputs that new changes were committed, so they do
// not wait for their next poll.
func (d *Deliverer) Wake() {
	for _, w := range d.workers {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// Run delivers until ctx is done, polling for new changes. An output whose
// receiver closed for good (notify.ErrClosed) stops; the others go on.
func (d *Deliverer) Run(ctx context.Context) error {
	return d.each(ctx, func(w *worker) error { return w.run(ctx, true) })
}

// Drain delivers everything in the outbox now and returns: what `vedette
// detect` does after a run. The error names outputs that stopped early;
// their cursors hold, so the next run resumes them.
func (d *Deliverer) Drain(ctx context.Context) error {
	return d.each(ctx, func(w *worker) error { return w.run(ctx, false) })
}

func (d *Deliverer) each(ctx context.Context, f func(*worker) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, w := range d.workers {
		wg.Go(func() {
			if err := f(w); err != nil && !errors.Is(err, context.Canceled) {
				mu.Lock()
				errs = append(errs, fmt.Errorf("output %s: %w", w.out.Name, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}
