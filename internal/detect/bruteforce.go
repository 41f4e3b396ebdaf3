package detect

import (
	"fmt"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// BruteForceSuccess raises "Brute force that worked": many credential
// failures against one account from one network, then a successful sign-in
// of that account from the same network (Defender for Cloud Apps' and
// Defender for Cloud's successful brute force). High: the password is
// known. A user who mistypes a few times and then signs in stays under
// MinFailures.
type BruteForceSuccess struct {
	// MinFailures is how many failures of the account's current run (no
	// gap over an hour) must precede the success. Default 10.
	MinFailures int `yaml:"min_failures"`
	// Within: the success must come this soon after the last failure.
	// Default 1h.
	Within time.Duration `yaml:"within"`
}

var _ Detector = (*BruteForceSuccess)(nil)

// DefaultBruteForceSuccess returns the defaults.
func DefaultBruteForceSuccess() BruteForceSuccess {
	return BruteForceSuccess{MinFailures: 10, Within: time.Hour}
}

// Meta implements Detector.
func (d *BruteForceSuccess) Meta() Meta {
	return Meta{
		ID: "brute-force-success", Name: "Brute force that worked",
		AlertType: "SuccessfulBruteForce", Severity: event.SeverityHigh,
		MITRE:  event.MITRE{Tactic: "Credential Access", Technique: "Brute Force: Password Guessing", TechniqueID: "T1110.001"},
		Inputs: []event.Kind{event.KindSignIn, event.KindCloudTrail},
	}
}

// Detect implements Detector.
func (d *BruteForceSuccess) Detect(in *Input) []event.Alert {
	e := in.Event
	if e.Result != event.ResultSuccess || !e.SourceIP.IsValid() || !isLogin(e) || !in.Tenant.MayHaveFailed(in.Index) {
		return nil
	}
	n, first, last := in.Tenant.FailuresFrom(e).Run(in.Index)
	if n < d.MinFailures || sinceUnix(e.Time, last) > d.Within {
		return nil
	}
	net := in.Tenant.Prefix(in.Tenant.NetOf(e.SourceIP))
	factors := []event.Factor{{Name: "failures-then-success", Weight: 0.8,
		Detail: fmt.Sprintf("%d failures from %s between %s and %s", n, net,
			time.Unix(first, 0).UTC().Format(time.RFC3339), time.Unix(last, 0).UTC().Format(time.RFC3339))}}
	if others := in.Tenant.FailuresFrom(e).Accounts(in.Index, e.Time.Add(-time.Hour).Unix()); others > 0 {
		factors = append(factors, event.Factor{Name: "other-accounts-tried", Weight: 0.1, Detail: fmt.Sprintf("%d other accounts failed from the same network", others)})
	}
	factors = append(factors, networkFactors(e)...)
	m := d.Meta()
	a := newAlert(m, e, factors, e.Key)
	a.Entities = append(baseEntities(e), ipEntity(e, "source"))
	a.Evidence = []event.Evidence{event.NewEvidence(e)}
	a.Description = fmt.Sprintf(
		"%s signed in from %s at %s after %d failed attempts from %s since %s: the password was guessed.",
		e.Principal, e.SourceIP, e.Time.UTC().Format(time.RFC3339), n, net, time.Unix(first, 0).UTC().Format(time.RFC3339))
	a.Remediation = []string{
		"Revoke the account's sessions and refresh tokens, reset its password and require MFA registration again.",
		"Block the source network and review what the account did after the sign-in.",
	}
	return []event.Alert{a}
}

// isLogin reports whether e is a sign-in: an Entra sign-in or an AWS
// console login.
func isLogin(e *event.Event) bool {
	return e.Kind == event.KindSignIn || e.Kind == event.KindCloudTrail && strings.HasSuffix(e.Operation, ":ConsoleLogin")
}
