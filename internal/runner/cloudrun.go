package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/vedette/vedette/internal/store"
)

// maxPollBackoff bounds the wait after failed polls (doubling from the
// poll interval).
const maxPollBackoff = 5 * time.Minute

// serveCloud polls the configured storage accounts and buckets until ctx
// ends, applying what they gain (cloudPath) and saving a checkpoint every
// activity.commit_interval and at stop. np is the network engine it feeds;
// ownsEngine says no collector shares it (then it also closes its hours
// on FlushOnStop).
func (env *Env) serveCloud(ctx context.Context, np *netPath, ownsEngine bool, o *ops, opts ServeOptions) error {
	pollers, err := env.openPollers(ctx, env.cfg.Sources)
	if err != nil {
		return err
	}
	var streams []string
	var every time.Duration
	for _, p := range pollers {
		streams = append(streams, p.Streams()...)
		every = max(every, p.Interval())
	}
	c, err := env.openCloudPath(np, streams, 3*every, opts.CloudProgress)
	if err != nil {
		return err
	}
	m := newCloudMetrics(pollers)
	c.seen = m.seen
	if err := o.bindCloud(m); err != nil {
		c.dead.close()
		return err
	}
	env.log.Info("serve polling cloud storage", "streams", streams)
	chunks := make(chan chunk, 16)
	pctx, stopPollers := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i, p := range pollers {
		wg.Go(func() { runPoller(pctx, p, chunks, m.stats[i], env.log) })
	}
	loopErr := c.loop(ctx, chunks, env.cfg.Activity.CommitInterval)
	stopPollers()
	wg.Wait()
	if opts.killed {
		c.dead.close()
		return loopErr
	}
	return errors.Join(loopErr, c.stop(ctx, opts.FlushOnStop, ownsEngine))
}

func (c *cloudPath) loop(ctx context.Context, chunks <-chan chunk, every time.Duration) error {
	save := time.NewTicker(every)
	defer save.Stop()
	clock := time.NewTicker(tickInterval)
	defer clock.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ch := <-chunks:
			if err := c.handle(ch); err != nil {
				return err
			}
		case <-save.C:
			if ctx.Err() != nil { // stopping: the stop saves, a kill does not
				return nil
			}
			if err := c.checkpoint(ctx); err != nil {
				c.env.log.Warn("cloud checkpoint", "err", err)
			}
		case <-clock.C:
			if err := c.tick(); err != nil {
				return err
			}
		}
	}
}

// runPoller polls p until ctx ends: at once again while a poll stopped
// early (bounded reads), else after its interval; after a failure after
// a doubling backoff. A poll that read everything tells the cloud path
// its streams caught up.
func runPoller(ctx context.Context, p poller, out chan<- chunk, st *pollStats, log *slog.Logger) {
	send := func(ch chunk) error {
		select {
		case out <- ch:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// The blobs of one hour are read one after the other, each holding
	// the whole hour: the buffers release only once the poll has moved
	// past the hour (a barrier) or read everything (caught up), so no blob
	// of the hour is overtaken by another's later records.
	var period time.Time
	emit := func(ch chunk) error {
		if !ch.caughtUp && !ch.failed && !ch.period.Equal(period) {
			period = ch.period
			if err := send(chunk{barrier: true}); err != nil {
				return err
			}
		}
		return send(ch)
	}
	var backoff time.Duration
	for ctx.Err() == nil {
		more, err := p.Poll(ctx, emit)
		wait := p.Interval()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			st.errors.Add(1)
			backoff = min(max(2*backoff, p.Interval()), maxPollBackoff)
			wait = backoff
			log.Warn("cloud poll", "streams", p.Streams(), "err", err, "retry_in", backoff)
			for _, s := range p.Streams() {
				if emit(chunk{key: s, failed: true}) != nil {
					return
				}
			}
		case more:
			backoff, wait = 0, 0
		default:
			backoff = 0
			st.lastOK.Store(time.Now().UnixNano())
			for _, s := range p.Streams() {
				if emit(chunk{key: s, caughtUp: true}) != nil {
					return
				}
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// bindCloud registers the pollers' metrics and a readiness check: ready
// once every poller has read its sources to the end once.
func (o *ops) bindCloud(m *cloudMetrics) error {
	if err := o.metrics.Register(m); err != nil {
		return fmt.Errorf("cloud metrics: %w", err)
	}
	o.health.Add("cloud", func(context.Context) error {
		for i, st := range m.stats {
			if st.lastOK.Load() == 0 {
				return fmt.Errorf("%s: not read to the end yet", m.names[i])
			}
		}
		return nil
	})
	return nil
}

// startCloud starts polling when sources are configured: it opens the
// network engine (shared with the collector, if any) and returns it with
// the channel serveCloud's result arrives on.
func startCloud(ctx context.Context, cancel context.CancelFunc, env *Env, o *ops, opts ServeOptions, collector bool) (*netPath, <-chan error, error) {
	done := make(chan error, 1)
	if !env.cfg.Sources.Configured() {
		done <- nil
		return nil, done, nil
	}
	np, err := env.openNetwork()
	if err != nil {
		return nil, nil, err
	}
	env.stateMu.Lock()
	env.net = np // the API's host summaries read it
	env.stateMu.Unlock()
	if !env.cfg.Activity.Live() {
		go env.Lists.Run(ctx, listReloadInterval)
	}
	if np.ti != nil && !collector {
		go np.ti.Run(ctx)
	}
	go func() {
		err := env.serveCloud(ctx, np, !collector, o, opts)
		cancel() // a failed poller path stops serve
		done <- err
	}()
	return np, done, nil
}

// saveLocked saves the engine's state, snapshotting it under mu: serve's
// collector and cloud polling may feed the same engine.
func (np *netPath) saveLocked(mu *sync.Mutex, s *store.Store) error {
	mu.Lock()
	parts, err := np.eng.SnapshotParts()
	mu.Unlock()
	if err != nil {
		return err
	}
	return s.SaveStateParts(context.Background(), netStateName, parts)
}
