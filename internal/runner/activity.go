package runner

import (
	"context"
	"errors"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/kafkasec"
	"github.com/vedette/vedette/internal/pipeline"
	"github.com/vedette/vedette/internal/reorder"
	"github.com/vedette/vedette/internal/source/kafka"
)

// streamIdle is how long, in wall time, a partition may deliver nothing
// before it stops holding the reorder watermark back: an empty or quiet
// partition must not stall the others.
const streamIdle = 10 * time.Second

// stopTimeout bounds the final commit once serve is asked to stop.
const stopTimeout = 10 * time.Second

// ActivityCounters are the live activity path's running totals.
type ActivityCounters struct {
	Kafka     kafka.Stats    `json:"kafka"`
	Reorder   reorder.Stats  `json:"reorder"`
	Pipeline  pipeline.Stats `json:"pipeline"`
	NewAlerts int            `json:"new_alerts"`
	// Untrusted counts events whose time the trust model rejected
	// (future-time, implausible-time); they are in rejected.jsonl.
	Untrusted int `json:"untrusted_time"`
}

// activityPath is serve's live activity: Kafka messages → normalize →
// reorder buffer → the same pipeline as `vedette detect` → store. Only its
// goroutine touches the pipeline and the baselines.
type activityPath struct {
	env   *Env
	cons  *kafka.Consumer
	p     *pipeline.Pipeline // nil when out is not the pipeline
	out   activityOut
	buf   *reorder.Buffer[*kafka.Message]
	held  map[*kafka.Message]int // events of a message not yet processed
	heard map[string]time.Time   // when each stream last delivered (wall time)
	dead  *deadLetter
	// budget bounds what a hostile producer can write to rejected.jsonl,
	// as for UDP flows; every rejection is still counted.
	budget *budget
	sum    Summary
	every  time.Duration

	rel       []reorder.Item[*kafka.Message]
	untrusted int // events rejected by the time trust model
	gate      *gate
	progress  func(ActivityCounters)
	publish   func(activityView) // serve's metrics and readiness (ops.go)
}

// activityOut is where the live activity path sends the events it
// releases in order: the pipeline (serve) or the internal topic (the
// scale-out ingest role, cluster_ingest.go).
type activityOut interface {
	process(e *event.Event)
	// settle finishes what a batch's events started: stores their alerts,
	// or produces their messages and waits for the acknowledgement.
	settle() error
	// save makes what the done messages taught durable before their
	// offsets are committed; an error leaves them uncommitted.
	save() error
}

// pipelineOut is serve's activityOut: the activity pipeline over the
// baselines, alerts to the store.
type pipelineOut struct {
	env     *Env
	p       *pipeline.Pipeline
	sum     *Summary
	pending []event.Alert
}

func (o *pipelineOut) process(e *event.Event) {
	o.env.stateMu.Lock()
	o.pending = append(o.pending, o.p.Process(e)...)
	o.env.stateMu.Unlock()
}

func (o *pipelineOut) settle() error {
	err := o.env.emit(o.pending, o.sum)
	o.pending = o.pending[:0]
	return err
}

func (o *pipelineOut) save() error { return o.env.SaveBaselines() }

func (env *Env) openActivity(progress func(ActivityCounters)) (*activityPath, error) {
	a, err := env.newActivityPath(nil, progress)
	if err != nil {
		return nil, err
	}
	a.p = env.Pipeline()
	a.out = &pipelineOut{env: env, p: a.p, sum: &a.sum}
	return a, nil
}

// newActivityPath opens the consumer of activity.kafka; out receives the
// events in order.
func (env *Env) newActivityPath(out activityOut, progress func(ActivityCounters)) (*activityPath, error) {
	cfg := env.cfg.Activity
	dead, err := openDeadLetter(env.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	cons, err := kafka.New(cfg.Kafka, kafka.Deps{Logger: env.log})
	if err != nil {
		dead.close()
		return nil, err
	}
	return &activityPath{
		env: env, cons: cons, out: out, buf: reorder.New[*kafka.Message](cfg.Lateness),
		gate: env.newGate(), held: map[*kafka.Message]int{}, heard: map[string]time.Time{}, dead: dead,
		budget: newBudget(rejectsPerMinute), sum: Summary{Rejected: map[string]int{}}, every: cfg.CommitInterval, progress: progress,
	}, nil
}

// run consumes until ctx ends, checkpointing every commit interval, then
// stops: flush releases every held event first (a bounded capture);
// otherwise held events stay uncommitted and a restart redelivers them.
func (a *activityPath) run(ctx context.Context, flush bool) error {
	// Refused credentials or a TLS mismatch stop serve with a clear error;
	// brokers merely unreachable are retried.
	if err := a.cons.Check(ctx, a.env.cfg.Activity.Kafka.Topics); errors.Is(err, kafkasec.ErrRefused) {
		return errors.Join(err, a.stop(ctx, false))
	} else if err != nil && ctx.Err() == nil {
		a.env.log.Warn("kafka brokers not reachable yet, retrying", "err", err)
	}
	next := time.Now().Add(a.every)
	for ctx.Err() == nil {
		pctx, cancel := context.WithDeadline(ctx, next)
		b, err := a.cons.Poll(pctx)
		cancel()
		if errors.Is(err, kgo.ErrClientClosed) {
			break
		}
		if err := a.handle(b); err != nil {
			return errors.Join(err, a.stop(ctx, false))
		}
		if !time.Now().Before(next) {
			if err := a.checkpoint(ctx); err != nil {
				a.env.log.Warn("activity checkpoint", "err", err)
			}
			next = time.Now().Add(a.every)
		}
	}
	return a.stop(ctx, flush)
}

// handle pushes a batch's events through the reorder buffer and processes
// what it releases.
func (a *activityPath) handle(b kafka.Batch) error {
	now := time.Now()
	for _, s := range b.Assigned {
		a.buf.Open(s)
		a.heard[s] = now
	}
	for _, s := range b.Revoked {
		a.buf.Forget(s)
		delete(a.heard, s)
	}
	for _, m := range b.Messages {
		a.heard[m.Stream()] = now
		a.trust(m)
		for _, r := range m.Rejections {
			a.sum.Rejected[r.Reason]++
			if a.budget.allow(r.Reason, now) {
				a.dead.add(r)
			}
		}
		if len(m.Events) == 0 {
			a.cons.Done(m)
		} else {
			a.held[m] = len(m.Events)
		}
		for _, e := range m.Events {
			if !a.buf.Push(m.Stream(), e, m) {
				a.process(e, m) // late: the baselines' watermark decides
			}
		}
		if m.CaughtUp {
			a.buf.Idle(m.Stream())
		}
	}
	for s, t := range a.heard {
		if now.Sub(t) > streamIdle {
			a.buf.Idle(s)
		}
	}
	a.rel = a.buf.Release(a.rel[:0])
	return a.processReleased()
}

// trust moves the events of m whose time the trust model rejects to its
// rejections, before any reaches the reorder buffer or the baselines.
func (a *activityPath) trust(m *kafka.Message) {
	kept := m.Events[:0]
	for _, e := range m.Events {
		if rej, ok := a.gate.event(e); ok {
			kept = append(kept, e)
		} else {
			m.Rejections = append(m.Rejections, rej)
			a.untrusted++
		}
	}
	clear(m.Events[len(kept):])
	m.Events = kept
}

func (a *activityPath) processReleased() error {
	for i, it := range a.rel {
		a.process(it.Event, it.Tag)
		a.rel[i] = reorder.Item[*kafka.Message]{}
	}
	err := a.out.settle()
	if a.progress != nil {
		a.progress(a.counters())
	}
	if a.publish != nil {
		a.publish(a.view())
	}
	return err
}

func (a *activityPath) process(e *event.Event, m *kafka.Message) {
	a.out.process(e)
	if a.held[m]--; a.held[m] <= 0 {
		delete(a.held, m)
		a.cons.Done(m)
	}
}

// checkpoint saves the baselines (or waits for the produced messages),
// then commits the offsets of the messages whose events they hold: a
// crash in between only redelivers.
func (a *activityPath) checkpoint(ctx context.Context) error {
	if err := a.out.save(); err != nil {
		return err
	}
	return a.cons.Commit(ctx)
}

func (a *activityPath) stop(ctx context.Context, flush bool) error {
	var errs []error
	if flush {
		a.rel = a.buf.Flush(a.rel[:0])
		errs = append(errs, a.processReleased())
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
	defer cancel()
	errs = append(errs, a.checkpoint(cctx))
	a.cons.Close()
	a.dead.close()
	c := a.counters()
	a.env.log.Info("activity stopped", "messages", c.Kafka.Messages, "events", c.Kafka.Events, "rejected", c.Kafka.Rejected,
		"late", c.Reorder.Late, "held", c.Reorder.Held, "processed", c.Pipeline.Processed, "new_alerts", c.NewAlerts,
		"rejections_not_written", a.budget.skipped)
	return errors.Join(errs...)
}

func (a *activityPath) counters() ActivityCounters {
	c := ActivityCounters{Kafka: a.cons.Stats(), Reorder: a.buf.Stats(), NewAlerts: a.sum.NewAlerts, Untrusted: a.untrusted}
	if a.p != nil {
		c.Pipeline = a.p.Stats()
	}
	return c
}
