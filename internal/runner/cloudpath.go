package runner

import (
	"context"
	"errors"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowlog"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/pipeline"
	"github.com/vedette/vedette/internal/reorder"
	"github.com/vedette/vedette/internal/store"
)

// CloudCounters are the polled sources' running totals (tests, status).
type CloudCounters struct {
	Chunks   int `json:"chunks"`    // blob reads handed on
	Events   int `json:"events"`    // activity events applied
	Flows    int `json:"flows"`     // flow records applied
	Replayed int `json:"replayed"`  // items read again after a restart and skipped: applied before it
	Held     int `json:"held"`      // items in the reorder buffers
	Late     int `json:"late"`      // items behind the released watermark, applied at once
	CaughtUp int `json:"caught_up"` // polls that found nothing more to read, over all streams
	Saves    int `json:"saves"`     // checkpoints saved
	// SavedEvents and SavedFlows are Events and Flows at the last
	// checkpoint: what a kill keeps.
	SavedEvents int `json:"saved_events"`
	SavedFlows  int `json:"saved_flows"`
}

// cloudPath applies what the pollers read: activity records through the
// reorder buffer and the pipeline, flow records through a flow reorder
// buffer and the network engine, and saves each blob's progress with the
// state that applied it. Only its goroutine touches its fields.
type cloudPath struct {
	env    *Env
	np     *netPath
	p      *pipeline.Pipeline
	events *reorder.Buffer[*pendingChunk]
	flows  *flowOrder
	tr     tracker
	gate   *gate
	dead   *deadLetter
	budget *budget
	sum    Summary
	c      CloudCounters

	pending  []event.Alert
	rel      []reorder.Item[*pendingChunk]
	relF     []heldFlow
	progress func(CloudCounters)
	seen     map[string]*pollStats // the metrics' counters, by stream
	// when each stream last delivered events, flows (wall time): a stream
	// joins a buffer with its first delivery, and a poll reads an hour's
	// blobs of every container before the barrier that releases them.
	heardEvents, heardFlows map[string]time.Time
	// idleAfter is how long a stream may deliver nothing before it stops
	// holding the watermark back: three poll intervals, at least streamIdle.
	idleAfter time.Duration
	dirty     bool // read or applied something since the last checkpoint
}

func (env *Env) openCloudPath(np *netPath, streams []string, idleAfter time.Duration, progress func(CloudCounters)) (*cloudPath, error) {
	dead, err := openDeadLetter(env.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	c := &cloudPath{
		env: env, np: np, p: env.Pipeline(), events: reorder.New[*pendingChunk](env.cfg.Activity.Lateness),
		flows: newFlowOrder(env.cfg.Activity.Lateness), gate: env.newGate(), dead: dead, budget: newBudget(rejectsPerMinute),
		sum: Summary{Rejected: map[string]int{}, NetworkAlerts: map[string]int{}}, progress: progress,
		heardEvents: map[string]time.Time{}, heardFlows: map[string]time.Time{}, idleAfter: max(idleAfter, streamIdle),
	}
	if err := c.tr.load(context.Background(), env.Store, streams); err != nil {
		dead.close()
		return nil, err
	}
	return c, nil
}

// handle takes one chunk: its items go through the trust model into the
// reorder buffers (a late one is applied at once); a barrier, a caught-up
// or failed poll releases what the watermark has passed.
func (c *cloudPath) handle(ch chunk) error {
	now := time.Now()
	switch {
	case ch.barrier:
		return c.release(now)
	case ch.failed:
		c.events.Idle(ch.key)
		c.flows.Idle(ch.key)
		return c.release(now)
	case ch.caughtUp:
		c.tr.caughtUp(ch.key)
		c.c.CaughtUp++
		return c.release(now)
	}
	c.c.Chunks++
	c.dirty = true
	pc := c.tr.add(ch)
	if ch.err != nil {
		c.reject(normalize.Rejection{Source: ch.name, Record: ch.first + 1, Reason: "blob-set-aside", Detail: ch.err.Error()})
		return c.apply()
	}
	s := &source{name: ch.name, data: ch.data, first: ch.first}
	rp, replay := c.tr.replayOf(ch)
	if isFlowDocument(s) {
		pc.flows = true
		c.heardFlows[ch.key] = now
		if replay {
			c.flows.Advance(rp.Cut)
		}
		c.readFlows(s, pc, rp, replay)
	} else {
		c.heardEvents[ch.key] = now
		if replay {
			c.events.Advance(rp.Cut)
		}
		c.readEvents(s, pc, rp, replay)
	}
	return c.apply() // only what was late; the buffers release at a barrier
}

// skip says an item read again after a restart was applied before it.
func skip(rp store.Replay, replay, whole bool, record int, t time.Time) bool {
	return replay && (whole || int64(record) <= rp.Records) && t.Before(rp.Cut)
}

func (c *cloudPath) readEvents(s *source, pc *pendingChunk, rp store.Replay, replay bool) {
	in, err := s.open()
	if err != nil {
		c.reject(normalize.Rejection{Source: s.name, Reason: inputReason(err), Detail: err.Error()})
		return
	}
	defer in.Close()
	sink := &eventSink{c: c, pc: pc, rp: rp, replay: replay}
	if _, err := normalize.Read(in.Source(), in.Reader(), offsetSink{sink, s.first}); err != nil {
		c.reject(normalize.Rejection{Source: s.name, Reason: inputReason(err), Detail: err.Error()})
	}
}

// eventSink takes a chunk's events to the reorder buffer.
type eventSink struct {
	c      *cloudPath
	pc     *pendingChunk
	rp     store.Replay
	replay bool
}

func (k *eventSink) Event(e *event.Event) {
	c := k.c
	if skip(k.rp, k.replay, k.pc.whole, e.Origin.Record, e.Time) {
		c.c.Replayed++
		return
	}
	if rej, ok := c.gate.event(e); !ok {
		c.reject(rej)
		return
	}
	c.seen[k.pc.key].saw(e.Time)
	k.pc.held++
	if !c.events.Push(k.pc.key, e, k.pc) {
		c.processEvent(e, k.pc) // late: the baselines' watermark decides
	}
}

func (k *eventSink) Reject(r normalize.Rejection) { k.c.reject(r) }

func (c *cloudPath) readFlows(s *source, pc *pendingChunk, rp store.Replay, replay bool) {
	in, err := s.open()
	if err != nil {
		c.reject(normalize.Rejection{Source: s.name, Reason: inputReason(err), Detail: err.Error()})
		return
	}
	defer in.Close()
	add := func(r flow.Record) {
		r.Index += s.first
		if skip(rp, replay, pc.whole, r.Index, r.Time()) {
			c.c.Replayed++
			return
		}
		if rej, ok := c.gate.check(r.Time(), r.Source, r.Index); !ok {
			c.reject(rej)
			return
		}
		c.seen[pc.key].saw(r.Time())
		pc.held++
		if !c.flows.Push(pc.key, r, pc) {
			c.processFlow(&r, pc)
		}
	}
	rej := func(src string, rec int, reason, detail string) {
		c.reject(normalize.Rejection{Source: src, Record: rec + s.first, Reason: reason, Detail: detail})
	}
	if _, err := flowlog.Read(in.Reader(), flowSource(in), add, rej); err != nil {
		c.reject(normalize.Rejection{Source: s.name, Reason: inputReason(err), Detail: err.Error()})
	}
}

// release applies what the buffers release, then stores the alerts. A
// stream that delivered nothing for idleAfter (wall time) stops holding
// the watermark back until it delivers again; a stream that caught up
// still holds it at its newest record, since another resource's blob of
// the same hour may be delivered a little later.
func (c *cloudPath) release(now time.Time) error {
	for s, t := range c.heardEvents {
		if now.Sub(t) > c.idleAfter {
			c.events.Idle(s)
		}
	}
	for s, t := range c.heardFlows {
		if now.Sub(t) > c.idleAfter {
			c.flows.Idle(s)
		}
	}
	c.rel = c.events.Release(c.rel[:0])
	c.relF = c.flows.Release(c.relF[:0])
	return c.apply()
}

func (c *cloudPath) apply() error {
	for i, it := range c.rel {
		c.processEvent(it.Event, it.Tag)
		c.rel[i] = reorder.Item[*pendingChunk]{}
	}
	for i := range c.relF {
		c.processFlow(&c.relF[i].rec, c.relF[i].tag)
		c.relF[i] = heldFlow{}
	}
	c.rel, c.relF = c.rel[:0], c.relF[:0]
	err := c.env.emit(c.pending, &c.sum)
	c.pending = c.pending[:0]
	c.c.Held = c.events.Len() + c.flows.Len()
	c.c.Late = c.events.Stats().Late + c.flows.late
	if c.progress != nil {
		c.progress(c.c)
	}
	return err
}

func (c *cloudPath) processEvent(e *event.Event, pc *pendingChunk) {
	c.env.stateMu.Lock()
	c.pending = append(c.pending, c.p.Process(e)...)
	c.env.stateMu.Unlock()
	pc.held--
	c.c.Events++
	c.dirty = true
}

func (c *cloudPath) processFlow(r *flow.Record, pc *pendingChunk) {
	c.env.stateMu.Lock()
	alerts := c.np.eng.Observe(r)
	c.env.stateMu.Unlock()
	for _, a := range alerts {
		c.sum.NetworkAlerts[a.Detection]++
	}
	c.pending = append(c.pending, alerts...)
	pc.held--
	c.c.Flows++
	c.dirty = true
}

// tick closes the hours left open past hour_idle, as serve's collector
// loop does, but by the flow watermark when it is behind the wall clock:
// a back-fill of old blobs must not close an hour whose flows are still
// being read or held, and every flow before the watermark is applied.
func (c *cloudPath) tick() error {
	if w := c.flows.Watermark(); !w.IsZero() {
		c.env.stateMu.Lock()
		c.pending = append(c.pending, c.np.eng.Tick(minTime(c.gate.now(), w))...)
		c.env.stateMu.Unlock()
		c.dirty = true
	}
	return c.release(time.Now()) // streams silent since the last tick stop holding back
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (c *cloudPath) reject(r normalize.Rejection) {
	c.sum.Rejected[r.Reason]++
	if c.budget.allow(r.Reason, c.gate.now()) {
		c.dead.add(r)
	}
}

// stop applies what the buffers hold when flush is set (a bounded run),
// closes the engine's open hours if it owns the engine, and saves.
func (c *cloudPath) stop(ctx context.Context, flush, ownsEngine bool) error {
	var errs []error
	if flush {
		c.rel = c.events.Flush(c.rel[:0])
		c.relF = c.flows.Flush(c.relF[:0])
		errs = append(errs, c.apply())
		if ownsEngine {
			c.env.stateMu.Lock()
			c.pending = append(c.pending, c.np.eng.Flush()...)
			c.env.stateMu.Unlock()
			errs = append(errs, c.apply())
		}
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
	defer cancel()
	errs = append(errs, c.checkpoint(cctx))
	c.dead.close()
	c.env.log.Info("cloud polling stopped", "chunks", c.c.Chunks, "events", c.c.Events, "flows", c.c.Flows,
		"held", c.c.Held, "replayed", c.c.Replayed, "new_alerts", c.sum.NewAlerts, "rejected", c.sum.Rejected)
	return errors.Join(errs...)
}
