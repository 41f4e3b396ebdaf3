package deliver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/notify"
)

// worker feeds one output.
type worker struct {
	out    Output
	outbox Outbox
	deps   Deps
	log    *slog.Logger
	m      outputMetrics
	wake   chan struct{}
	cursor int64
	loaded bool // cursor read from the store
}

// run loads the cursor and delivers batch after batch. Caught up, it polls
// (follow) or returns. Store errors are retried after a backoff when
// following; a drain returns them.
func (w *worker) run(ctx context.Context, follow bool) error {
	storeFailures := 0
	for {
		caughtUp, err := w.step(ctx)
		switch {
		case err == nil:
			storeFailures = 0
		case errors.Is(err, notify.ErrClosed) || ctx.Err() != nil || !follow:
			return err
		default:
			storeFailures++
			w.log.Warn("outbox unavailable", "err", err)
			if !sleep(ctx, w.out.Policy.Backoff(storeFailures, w.deps.Jitter())) {
				return ctx.Err()
			}
			continue
		}
		if !caughtUp {
			continue
		}
		if !follow {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.wake:
		case <-time.After(w.out.Policy.Poll):
		}
	}
}

// step delivers the next batch; caughtUp is true when there was none.
func (w *worker) step(ctx context.Context) (caughtUp bool, err error) {
	if !w.loaded {
		if w.cursor, err = w.outbox.Cursor(ctx, w.out.Name); err != nil {
			return false, fmt.Errorf("cursor: %w", err)
		}
		w.loaded = true
	}
	batch, err := w.outbox.OutboxAfter(ctx, w.cursor, w.out.Policy.BatchSize)
	if err != nil {
		return false, fmt.Errorf("outbox: %w", err)
	}
	if len(batch) == 0 {
		w.m.lag.Set(0)
		return true, nil
	}
	w.m.lag.Set(max(0, w.deps.Now().Sub(batch[0].At).Seconds()))
	selected := batch[:0:0]
	for _, c := range batch {
		if w.out.Filter.Match(&c) {
			selected = append(selected, c)
		}
	}
	w.m.filtered.Add(float64(len(batch) - len(selected)))
	if len(selected) > 0 {
		if err := w.send(ctx, selected); err != nil {
			return false, err
		}
	}
	last := batch[len(batch)-1].Seq
	rctx, cancel := record(ctx)
	defer cancel()
	if err := w.outbox.SetCursor(rctx, w.out.Name, last); err != nil {
		return false, fmt.Errorf("set cursor: %w", err)
	}
	w.cursor = last
	w.m.cursor.Set(float64(last))
	return false, nil
}

// send delivers changes or dead-letters them; it returns an error only when
// the output must stop (closed receiver, shutdown, store failure). A batch
// refused for good is split, so one poisonous change does not take its
// neighbours to the dead letters with it.
func (w *worker) send(ctx context.Context, changes []event.Change) error {
	p := w.out.Policy
	for attempt := 1; ; attempt++ {
		retry, err := w.notify(ctx, changes)
		if err == nil {
			w.m.delivered.Add(float64(len(changes)))
			return nil
		}
		if errors.Is(err, notify.ErrClosed) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err() // shutting down: the cursor holds, nothing is dead
		}
		if !retry && len(changes) > 1 {
			w.log.Info("batch refused, sending one by one", "changes", len(changes), "err", err)
			for i := range changes {
				if err := w.send(ctx, changes[i:i+1]); err != nil {
					return err
				}
			}
			return nil
		}
		if !retry || attempt >= p.MaxAttempts {
			return w.deadLetter(ctx, changes, attempt, err)
		}
		w.m.retried.Add(float64(len(changes)))
		delay := p.Backoff(attempt, w.deps.Jitter())
		var ra *notify.RetryAfter
		if errors.As(err, &ra) {
			delay = max(delay, min(ra.After, p.MaxBackoff))
		}
		w.log.Warn("delivery failed, retrying", "attempt", attempt, "in", delay, "err", err)
		if !sleep(ctx, delay) {
			return ctx.Err()
		}
	}
}

func (w *worker) notify(ctx context.Context, changes []event.Change) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, w.out.Policy.Timeout)
	defer cancel()
	return w.out.Notifier.Notify(ctx, changes)
}

func (w *worker) deadLetter(ctx context.Context, changes []event.Change, attempts int, cause error) error {
	ctx, cancel := record(ctx)
	defer cancel()
	for _, c := range changes {
		if err := w.outbox.AddDeadLetter(ctx, w.out.Name, c, attempts, cause.Error()); err != nil {
			return fmt.Errorf("dead letter: %w", err)
		}
	}
	w.m.dead.Add(float64(len(changes)))
	w.log.Error("delivery abandoned, dead-lettered", "changes", len(changes), "attempts", attempts, "err", cause)
	return nil
}

// record is the context of a store write that follows a delivery: a
// shutdown arriving between the receiver's acknowledgement and the cursor
// must not throw the acknowledgement away (the batch would be sent again
// after the restart), so it outlives ctx, for a bounded time.
func record(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

// sleep waits d or until ctx is done; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
