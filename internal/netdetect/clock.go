package netdetect

import (
	"maps"
	"slices"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/eventtime"
)

// maxMs bounds the flow times the Engine accepts, about ±28,000 years: far
// beyond any trusted time (package eventtime rejects those first), and
// small enough that every hour and grace computation stays inside int64.
const maxMs = 1 << 53

// maxDone caps the closed hours remembered individually; older ones are
// late by their exporters' clocks or by the wall clock anyway.
const maxDone = 1 << 14

// Event-time clocks, per exporter.
//
// Each exporter keeps the newest flow time it sent. An exporter is the
// device whose address a record carries together with the observation
// domain (IPFIX) or source ID (NetFlow v9) it sent the record for, since
// the line cards or VRFs of one device may keep time apart (clockkey.go,
// which also bounds their number); files have the zero address and
// domain and share one clock.
// An open hour remembers the exporters that reported a monitored IP in it
// and how many of them have not yet passed its end plus Grace. The hour
// closes when that count reaches zero, or when the wall clock (Tick) has
// passed its end by HourIdle. So one exporter's clock, right or wrong,
// closes nobody else's hours, and its silence holds them open for at most
// HourIdle. A flow is late when its hour has closed, when its own
// exporter's clock has already passed the hour's end plus Grace, or when
// the wall clock has passed the hour's end by HourIdle.

// openHour is an hour with monitored hosts, not yet closed.
type openHour struct {
	start int64 // unix s
	hosts *hostTable
	reporters
}

// reporters are the exporters that reported an open hour.
type reporters struct {
	set     map[clockKey]struct{}
	pending int // members whose clock has not passed the hour's end plus Grace
	last    clockKey
	hasLast bool // last is in set
}

// clockMemo is an exporter's clock as the clocks map holds it.
type clockMemo struct {
	key clockKey
	ms  int64
	ok  bool
}

// forget drops the memos of the last flow's hour and clock.
func (e *Engine) forget() { e.cur, e.clock = nil, clockMemo{} }

func hourEnd(hour int64) int64 { return (hour + 3600) * 1000 }

// late reports whether a flow of exp in hour is too late to count.
func (e *Engine) late(exp clockKey, hour int64) bool {
	if e.openAt(hour) != nil {
		return false
	}
	if _, done := e.done[hour]; done {
		return true
	}
	if e.passed(exp, hour) {
		return true
	}
	return e.now != 0 && hourEnd(hour)+e.cfg.HourIdle.Milliseconds() <= e.now
}

// report notes that exp reported a monitored IP in the open hour.
func (e *Engine) report(exp clockKey, hour int64) {
	r := &e.openAt(hour).reporters
	if r.hasLast && r.last == exp {
		return
	}
	r.last, r.hasLast = exp, true
	if r.set == nil {
		r.set = map[clockKey]struct{}{}
	}
	if _, ok := r.set[exp]; ok {
		return
	}
	r.set[exp] = struct{}{}
	if !e.passed(exp, hour) {
		r.pending++
	}
}

// passed reports whether exp's clock has passed hour's end plus Grace. An
// exporter without a clock has passed nothing.
func (e *Engine) passed(exp clockKey, hour int64) bool {
	c, ok := e.clocks[exp]
	return ok && c >= hourEnd(hour)+e.cfg.Grace.Milliseconds()
}

// clockLead is how far ahead of the last wall clock (Tick) an exporter's
// clock may run. Flow times up to the trust model's future skew are
// accepted and counted, but an exporter whose address is spoofed with
// plausible future times must not close its own hours early: with the
// lead capped, an hour closes at the earliest at its end plus Grace less
// a minute of wall time.
const clockLead = 60_000

// advance moves exp's clock to ms (capped at the wall clock plus
// clockLead once Tick has given one) and closes the hours whose last
// pending reporter it was.
func (e *Engine) advance(exp clockKey, ms int64) []event.Alert {
	if e.now != 0 {
		ms = min(ms, e.now+clockLead)
	}
	if m := &e.clock; m.ok && m.key == exp && ms <= m.ms {
		return nil
	}
	old, ok := e.clocks[exp]
	if ok && ms <= old {
		e.clock = clockMemo{exp, old, true}
		return nil
	}
	if !ok {
		old = -maxMs
		e.perAddr[exp.exp]++
	}
	e.clocks[exp] = ms
	e.clock = clockMemo{exp, ms, true}
	grace := e.cfg.Grace.Milliseconds()
	var due []int64
	for h, r := range e.open {
		end := hourEnd(h) + grace
		if old >= end || ms < end {
			continue
		}
		if _, member := r.set[exp]; member {
			if r.pending--; r.pending <= 0 {
				due = append(due, h)
			}
		}
	}
	return e.closeHours(due)
}

// Tick tells the Engine the wall-clock time: hours whose end it has passed
// by HourIdle close, whatever their exporters' clocks say. `vedette serve`
// calls it periodically; `vedette detect` never does, so batches of files
// stay deterministic.
func (e *Engine) Tick(now time.Time) []event.Alert {
	ms := eventtime.UnixMilli(now)
	if ms > maxMs || ms < -maxMs {
		return nil
	}
	e.now = max(e.now, ms)
	idle := e.cfg.HourIdle.Milliseconds()
	var due []int64
	for h := range e.open {
		if hourEnd(h)+idle <= e.now {
			due = append(due, h)
		}
	}
	out := e.closeHours(due)
	e.prune()
	return out
}

// Flush closes every open hour, as at the end of a batch of files, and
// returns their alerts. Later records of those hours count as late.
func (e *Engine) Flush() []event.Alert {
	due := make([]int64, 0, len(e.open))
	for h := range e.open {
		due = append(due, h)
	}
	return e.closeHours(due)
}

// closeHours closes the given open hours, oldest first.
func (e *Engine) closeHours(due []int64) []event.Alert {
	if len(due) == 0 {
		return nil
	}
	slices.Sort(due)
	var out []event.Alert
	for _, h := range due {
		if _, open := e.open[h]; !open {
			continue
		}
		out = append(out, e.closeHour(h)...)
		delete(e.open, h)
		e.forget()
		e.done[h] = struct{}{}
	}
	if len(e.done) > maxDone {
		e.prune()
	}
	return out
}

// prune forgets what the late rules no longer need: closed hours every
// clock (or the wall clock) has passed, and clocks of exporters that
// report no open hour and are older than the wall clock's idle limit.
func (e *Engine) prune() {
	e.forget()
	grace, idle := e.cfg.Grace.Milliseconds(), e.cfg.HourIdle.Milliseconds()
	slowest := int64(maxMs)
	for _, c := range e.clocks {
		slowest = min(slowest, c)
	}
	for h := range e.done {
		if hourEnd(h)+grace <= slowest || (e.now != 0 && hourEnd(h)+idle <= e.now) {
			delete(e.done, h)
		}
	}
	if len(e.done) > maxDone { // a flood of distinct hours: keep the newest
		hs := slices.Sorted(maps.Keys(e.done))
		for _, h := range hs[:len(hs)-maxDone] {
			delete(e.done, h)
		}
	}
	if e.now == 0 {
		return
	}
	reporting := map[clockKey]bool{}
	for _, r := range e.open {
		for exp := range r.set {
			reporting[exp] = true
		}
	}
	for exp, c := range e.clocks {
		if !reporting[exp] && c+3600*1000+idle <= e.now {
			e.dropClock(exp)
		}
	}
}

// OpenHours is the number of hours still open.
func (e *Engine) OpenHours() int { return len(e.open) }

// Repair removes what an earlier version let untrusted times put in the
// state: exporter clocks later than limit (they would make every genuine
// flow late), open and closed hours starting after it, and learned IP to
// host segments reaching outside [floor, limit]. It returns how many
// entries it removed; the caller logs them.
func (e *Engine) Repair(floor, limit time.Time) int {
	e.forget()
	lim := eventtime.UnixMilli(limit)
	n := e.repairLearned(floor.Unix(), limit.Unix())
	for exp, c := range e.clocks {
		if c > lim {
			e.dropClock(exp)
			n++
		}
	}
	for h := range e.open {
		if h*1000 > lim {
			delete(e.open, h)
			n++
		}
	}
	for h := range e.done {
		if h*1000 > lim {
			delete(e.done, h)
			n++
		}
	}
	if e.now > lim {
		e.now, n = 0, n+1
	}
	if n > 0 {
		e.recount()
	}
	return n
}

// repairLearned drops learned inventory segments outside [lo, hi] (unix
// seconds): a poisoned tuple would otherwise hold an IP for its NIC
// through every hour.
func (e *Engine) repairLearned(lo, hi int64) int {
	s := e.inv.Snapshot()
	n := 0
	for i := range s.Learned {
		kept := s.Learned[i].Segments[:0]
		for _, sg := range s.Learned[i].Segments {
			if sg.First < lo || sg.Last > hi {
				n++
				continue
			}
			kept = append(kept, sg)
		}
		s.Learned[i].Segments = kept
	}
	if n > 0 {
		e.inv.Restore(s)
	}
	return n
}

// recount recomputes each open hour's pending reporters from the clocks.
func (e *Engine) recount() {
	for h, r := range e.open {
		r.pending = 0
		for exp := range r.set {
			if !e.passed(exp, h) {
				r.pending++
			}
		}
	}
}
