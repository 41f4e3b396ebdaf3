package baseline

import (
	"slices"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// failSlots is how many distinct accounts a network's failures remember:
// thresholds for password spray are capped at it.
const failSlots = 16

// MaxFailAccounts is the largest distinct-account count the failures can
// answer exactly.
const MaxFailAccounts = failSlots

// FailureRun is how long failures stay relevant: a failure more than this
// after the previous one of the same account starts a new run.
const FailureRun = time.Hour

// Failures are the recent failed sign-ins from one network (see NetKey):
// the distinct accounts that failed, most recent kept, each with its
// current run of failures. 352 bytes, only for networks with failures.
type Failures struct {
	Who   [failSlots]uint32 // principal index + 1
	First [failSlots]int64  // Unix seconds of the run's first failure
	Last  [failSlots]int64  // Unix seconds of the run's latest failure
	Count [failSlots]uint16 // failures in the run (saturating)
}

// credentialFailures are the Entra sign-in error codes that mean wrong or
// unusable credentials: invalid user name or password (50126), no such user
// (50034), account locked by smart lockout (50053), invalid or empty
// password (50056), disabled account (50057) and credential validation
// failure (50064). MFA failures are not among them: they mean the password
// was right.
var credentialFailures = []string{"50126", "50034", "50053", "50056", "50057", "50064"}

// IsCredentialFailure reports whether e is a sign-in that failed on the
// credentials: an Entra sign-in with one of credentialFailures or a failed
// AWS console login.
func IsCredentialFailure(e *event.Event) bool {
	if e.Result != event.ResultFailure {
		return false
	}
	switch e.Kind {
	case event.KindSignIn:
		return slices.Contains(credentialFailures, e.ResultCode)
	case event.KindCloudTrail:
		return strings.HasSuffix(e.Operation, ":ConsoleLogin")
	}
	return false
}

// Accounts counts the distinct accounts with a failure at or after since
// (Unix seconds), other than who (principal index).
func (f *Failures) Accounts(who uint32, since int64) int {
	if f == nil {
		return 0
	}
	n := 0
	for i := range f.Who {
		if f.Who[i] != 0 && f.Who[i] != who+1 && f.Last[i] >= since {
			n++
		}
	}
	return n
}

// Run returns principal who's current run of failures: its count and the
// times of its first and latest failure; count 0 when there is none.
func (f *Failures) Run(who uint32) (count int, first, last int64) {
	if f == nil {
		return 0, 0, 0
	}
	for i := range f.Who {
		if f.Who[i] == who+1 {
			return int(f.Count[i]), f.First[i], f.Last[i]
		}
	}
	return 0, 0, 0
}

// FailuresFrom returns the failures recorded from e's network, nil if none.
func (t *Tenant) FailuresFrom(e *event.Event) *Failures {
	if !e.SourceIP.IsValid() || len(t.Failures) == 0 {
		return nil
	}
	// Detection asks first, learning again for the same event.
	k := t.cfg.netOf(e.SourceIP)
	if t.failCached && k == t.failNet {
		return t.fail
	}
	f := t.Failures[k]
	t.failNet, t.fail, t.failCached = k, f, true
	return f
}

// learnFailure adds e, a credential failure of principal who.
func (t *Tenant) learnFailure(who uint32, e *event.Event) {
	k := t.cfg.netOf(e.SourceIP)
	f := t.Failures[k]
	if f == nil {
		f = &Failures{}
		t.Failures[k] = f
		t.failCached = false
	}
	sec := e.Time.Unix()
	victim := 0
	for i := range f.Who {
		if f.Who[i] == who+1 {
			if sec-f.Last[i] > int64(FailureRun/time.Second) {
				f.First[i], f.Count[i] = sec, 0
			}
			f.Last[i] = max(f.Last[i], sec)
			f.Count[i] = min(f.Count[i]+1, 1<<16-1)
			return
		}
		if f.Last[i] < f.Last[victim] {
			victim = i
		}
	}
	f.Who[victim], f.First[victim], f.Last[victim], f.Count[victim] = who+1, sec, sec, 1
}

// endRun forgets principal who's run of failures from e's network after
// a success from it: later failures are a new story.
func (t *Tenant) endRun(who uint32, e *event.Event) {
	f := t.FailuresFrom(e)
	if f == nil {
		return
	}
	for i := range f.Who {
		if f.Who[i] == who+1 {
			f.Count[i], f.First[i] = 0, f.Last[i]
		}
	}
}

// pruneFailures forgets networks whose latest failure is before cut.
func (t *Tenant) pruneFailures(cut int64) {
	t.failCached = false
	for k, f := range t.Failures {
		if slices.Max(f.Last[:]) < cut {
			delete(t.Failures, k)
		}
	}
}
