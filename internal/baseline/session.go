package baseline

import (
	"time"

	"github.com/vedette/vedette/internal/event"
)

// Management sessions are the short-term state of principals acting on
// Azure Resource Manager: which operations they performed in the current
// burst of activity, how often and on how many resources, and two marks
// that must be taken before the principal's long-term state moves on (the
// end of a long silence, the first use of Azure PowerShell in a long
// while). They live here, not in detectors, so that replaying logs in one
// batch, in pieces or live gives the same alerts: they are serialized with
// the tenant.
//
// Only principals with management activity (or a mark) pay for a session,
// and sessions idle past SessionIdle with marks older than MarkTTL are
// dropped once a day.
const (
	// SessionIdle ends a session's operations: a principal silent on ARM
	// for this long starts a new session. Detection windows are at most
	// this long.
	SessionIdle = 2 * time.Hour
	// MarkTTL is how long the return and PowerShell marks are kept: the
	// persistence they precede must follow within it.
	MarkTTL = 24 * time.Hour
	// MinDormancy is the shortest silence (no successful activity) whose
	// end is marked. Inactivity thresholds are at least this long.
	MinDormancy = 7 * 24 * time.Hour
	// sessionOps is how many distinct operations a session remembers; the
	// least recently used is replaced when it is full.
	sessionOps = 16
	// opResources is how many recent resources an operation remembers to
	// count distinct resources exactly while they repeat among them.
	opResources = 4
)

// SessionOp is one operation's outcomes (success or failure records; the
// Start and Accept records of an operation are not counted) in a session.
type SessionOp struct {
	Op          string // lower-case operation, interned
	First, Last uint32 // seconds since the session's Start
	N           uint16 // outcomes
	Distinct    uint16 // distinct resources (exact while a resource recurs within the last four)
	PowerShell  bool   // at least one outcome came through Azure PowerShell
	Res         [opResources]uint32
}

// Session is a principal's current management session and marks.
type Session struct {
	Start int64 // Unix seconds of the first operation of the session
	Last  int64 // Unix seconds of the latest operation
	Ops   []SessionOp

	// Returned is when the principal came back after at least MinDormancy
	// without successful activity, PriorSuccess its last success before.
	Returned, PriorSuccess int64
	// PowerShellAt is the principal's first Azure PowerShell activity after
	// at least MinDormancy without (or ever), PriorPowerShell the previous
	// one (0: never). PowerShellUA is the user agent of the latest sign-in
	// to Azure PowerShell, when sign-in logs are fed.
	PowerShellAt, PriorPowerShell int64
	PowerShellUA                  string
}

// Live reports whether the session's operations are current at now.
func (s *Session) Live(now time.Time) bool {
	return s != nil && s.Last != 0 && now.Unix()-s.Last <= int64(SessionIdle/time.Second)
}

// Current returns the session's operations current at now (none if the
// session is idle or absent).
func (s *Session) Current(now time.Time) []SessionOp {
	if !s.Live(now) {
		return nil
	}
	return s.Ops
}

// Time returns the absolute time of an offset of the session.
func (s *Session) Time(off uint32) time.Time { return time.Unix(s.Start+int64(off), 0).UTC() }

// ReturnMark returns the return mark if it is current at now.
func (s *Session) ReturnMark(now time.Time) (returned, prior int64, ok bool) {
	if s == nil || s.Returned == 0 || now.Unix()-s.Returned > int64(MarkTTL/time.Second) {
		return 0, 0, false
	}
	return s.Returned, s.PriorSuccess, true
}

// PowerShellMark returns the PowerShell mark if it is current at now.
func (s *Session) PowerShellMark(now time.Time) (at, prior int64, ok bool) {
	if s == nil || s.PowerShellAt == 0 || now.Unix()-s.PowerShellAt > int64(MarkTTL/time.Second) {
		return 0, 0, false
	}
	return s.PowerShellAt, s.PriorPowerShell, true
}

// Session returns principal i's session, nil if it has none. Callers judge
// freshness with Live, Current and the mark accessors.
func (t *Tenant) Session(i uint32) *Session { return t.Sessions[i] }

// ResourceHash is the hash sessions remember a resource by.
func ResourceHash(resource string) uint32 {
	// FNV-1a, 32 bits, inline: no hasher to allocate, no copy to bytes.
	h := uint32(2166136261)
	for i := 0; i < len(resource); i++ {
		h ^= uint32(resource[i])
		h *= 16777619
	}
	return h
}

// learnSession updates principal i's session with e. It runs before the
// principal's LastSuccess and LastPowerShell move, since the marks compare
// e with them.
func (t *Tenant) learnSession(c *tenantCache, i uint32, p *Principal, fresh bool, e *event.Event) {
	now := e.Time.Unix()
	t.sweepSessions(e.Time)
	mgmt := (e.Kind == event.KindManagement || e.Kind == event.KindDirectory) &&
		e.Result != event.ResultUnknown && e.Operation != ""
	ret := !fresh && e.Result == event.ResultSuccess && p.LastSuccess != 0 &&
		now-p.LastSuccess >= int64(MinDormancy/time.Second)
	ps := IsPowerShell(e) &&
		(fresh || p.LastPowerShell == 0 || now-p.LastPowerShell >= int64(MinDormancy/time.Second))
	psApp := isPowerShellApp(e.AppID)
	if !mgmt && !ret && !ps && !psApp {
		return // nothing below changes a session, so none is looked up
	}
	s := t.Sessions[i]
	if s == nil && !mgmt && !ret && !ps {
		return
	}
	if s == nil {
		s = &Session{}
		t.Sessions[i] = s
	}
	if ret {
		s.Returned, s.PriorSuccess = now, p.LastSuccess
	}
	if ps && (s.PowerShellAt == 0 || now-s.PowerShellAt > int64(MarkTTL/time.Second)) {
		s.PowerShellAt, s.PriorPowerShell = now, 0
		if !fresh {
			s.PriorPowerShell = p.LastPowerShell
		}
	}
	if psApp && e.Kind == event.KindSignIn && e.UserAgent != "" {
		s.PowerShellUA = t.internString(e.UserAgent)
	}
	if mgmt {
		s.addOp(e, c.resourceHash(i, len(t.Principals), e.Resource), t.internString)
	}
}

// SessionAfter returns what principal i's session operations would be once
// e is learned: a copy, for detections that compare a session before and
// after the event they look at. Only management outcomes change it.
func (t *Tenant) SessionAfter(i uint32, e *event.Event) *Session {
	var c Session
	if s := t.Sessions[i]; s != nil {
		c = *s
		c.Ops = append([]SessionOp(nil), s.Ops...)
	}
	if e.Kind == event.KindManagement && e.Result != event.ResultUnknown && e.Operation != "" {
		c.addOp(e, ResourceHash(e.Resource), func(s string) string { return s })
	}
	return &c
}

// addOp folds a management outcome, on the resource with hash res, into s, starting a new session after
// SessionIdle of silence.
func (s *Session) addOp(e *event.Event, res uint32, intern func(string) string) {
	now := e.Time.Unix()
	switch {
	case !s.Live(e.Time):
		s.Start, s.Ops = now, nil
	case now < s.Start: // a slightly out-of-order record: rebase the offsets
		d := uint32(s.Start - now)
		for j := range s.Ops {
			s.Ops[j].First += d
			s.Ops[j].Last += d
		}
		s.Start = now
	}
	s.Last = max(s.Last, now)
	off := uint32(now - s.Start)
	k := -1
	for j := range s.Ops {
		if s.Ops[j].Op == e.Operation {
			k = j
			break
		}
	}
	if k < 0 {
		k = len(s.Ops)
		if k == sessionOps {
			k = oldestOp(s.Ops)
		} else {
			s.Ops = append(s.Ops, SessionOp{})
		}
		s.Ops[k] = SessionOp{Op: intern(e.Operation), First: off}
	}
	o := &s.Ops[k]
	o.Last = max(o.Last, off)
	o.N++
	o.PowerShell = o.PowerShell || IsPowerShell(e)
	o.touchResource(res)
}

func oldestOp(ops []SessionOp) int {
	k := 0
	for j := range ops {
		if ops[j].Last < ops[k].Last {
			k = j
		}
	}
	return k
}

// touchResource counts h as a new resource unless it is among the last
// four, which it then moves to the front.
func (o *SessionOp) touchResource(h uint32) {
	for j, r := range o.Res {
		if r == h && j < int(o.Distinct) {
			copy(o.Res[1:j+1], o.Res[:j])
			o.Res[0] = h
			return
		}
	}
	copy(o.Res[1:], o.Res[:opResources-1])
	o.Res[0] = h
	o.Distinct++
}

// Has reports whether o was performed on the resource with hash h (among
// the last four resources it remembers).
func (o *SessionOp) Has(h uint32) bool {
	for j, r := range o.Res {
		if j < int(o.Distinct) && r == h {
			return true
		}
	}
	return false
}

// sweepSessions drops, once per day of event time, sessions whose
// operations and marks have all expired.
func (t *Tenant) sweepSessions(now time.Time) {
	day := Day(now)
	if day <= t.SessionSweep {
		return
	}
	t.SessionSweep = day
	for i, s := range t.Sessions {
		if s.Live(now) {
			continue
		}
		if _, _, ok := s.ReturnMark(now); ok {
			continue
		}
		if _, _, ok := s.PowerShellMark(now); ok {
			continue
		}
		delete(t.Sessions, i)
	}
}

// reinternSessions shares the strings of restored sessions.
func (t *Tenant) reinternSessions() {
	for _, s := range t.Sessions {
		s.PowerShellUA = t.internString(s.PowerShellUA)
		for j := range s.Ops {
			s.Ops[j].Op = t.internString(s.Ops[j].Op)
		}
	}
}
