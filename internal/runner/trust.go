package runner

import (
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/eventtime"
	"github.com/vedette/vedette/internal/normalize"
)

// gate applies the time trust model (package eventtime) to every event
// time read from input, in one place, before the event reaches a
// watermark, a baseline, the reorder buffer or a host-hour: activity from
// files (collector.Event) and from Kafka (activityPath.handle), flows
// from files (readFlows) and from UDP (server.observe).
type gate struct {
	policy eventtime.Policy
	now    func() time.Time
	limit  time.Time // the policy's limit at the last look at the clock
	calls  int
}

// clockEvery is how many checks reuse one reading of the wall clock; the
// limit only grows, so a stale one errs on the side of rejecting.
const clockEvery = 1024

func newGate(p eventtime.Policy, now func() time.Time) *gate {
	if now == nil {
		now = time.Now
	}
	return &gate{policy: p, now: now}
}

// check returns a rejection naming source and record when t is not
// trusted, and ok when it is.
func (g *gate) check(t time.Time, source string, record int) (normalize.Rejection, bool) {
	if g.calls%clockEvery == 0 {
		g.limit = g.policy.Limit(g.now())
	}
	g.calls++
	if !t.Before(g.policy.Floor) && !t.After(g.limit) {
		return normalize.Rejection{}, true
	}
	reason, detail := g.policy.Check(t, g.now())
	if reason == "" { // the clock moved past t since the last reading
		g.limit = g.policy.Limit(g.now())
		return normalize.Rejection{}, true
	}
	return normalize.Rejection{Source: source, Record: record, Reason: reason, Detail: detail}, false
}

// event checks an activity event's time.
func (g *gate) event(e *event.Event) (normalize.Rejection, bool) {
	return g.check(e.Time, e.Origin.Source, e.Origin.Record)
}

// budget bounds what one reason writes to rejected.jsonl per wall-clock
// minute in `vedette serve`, where a flood of forged packets would
// otherwise fill the disk; everything is still counted.
type budget struct {
	perMinute int
	window    time.Time
	used      map[string]int
	skipped   int
}

func newBudget(perMinute int) *budget { return &budget{perMinute: perMinute, used: map[string]int{}} }

// allow reports whether a rejection for reason may be written now.
func (b *budget) allow(reason string, now time.Time) bool {
	if now.Sub(b.window) >= time.Minute {
		b.window, b.used = now, map[string]int{}
	}
	if b.used[reason] >= b.perMinute {
		b.skipped++
		return false
	}
	b.used[reason]++
	return true
}
