package detect

import (
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/event"
)

// MaliciousIP raises "Activity from a malicious IP address": a successful
// sign-in or management operation from an address on a `malicious` list
// or a threat-intelligence feed (STIX indicators), as Defender for
// Cloud's ARM_OperationFromSuspiciousIP. One alert per principal, address
// and day: a session's every call is one finding.
type MaliciousIP struct{}

var _ Detector = (*MaliciousIP)(nil)

// DefaultMaliciousIP returns the defaults.
func DefaultMaliciousIP() MaliciousIP { return MaliciousIP{} }

// Meta implements Detector.
func (d *MaliciousIP) Meta() Meta {
	return Meta{
		ID: "malicious-ip-activity", Name: "Activity from a malicious IP address",
		AlertType: "ARM_OperationFromSuspiciousIP", Severity: event.SeverityHigh,
		MITRE:  event.MITRE{Tactic: "Initial Access", Technique: "Valid Accounts: Cloud Accounts", TechniqueID: "T1078.004"},
		Inputs: []event.Kind{event.KindSignIn, event.KindManagement, event.KindCloudTrail, event.KindDirectory},
	}
}

// Detect implements Detector.
func (d *MaliciousIP) Detect(in *Input) []event.Alert {
	e := in.Event
	if e.Result != event.ResultSuccess || !e.SourceIP.IsValid() {
		return nil
	}
	tag, ok := in.Tagged(CategoryMalicious)
	if !ok {
		return nil
	}
	ip := e.SourceIP.Unmap()
	if p := in.Principal; p != nil && p.IPLastDay(ip) == baseline.Day(e.Time) {
		return nil
	}
	factors := []event.Factor{{Name: "threat-intel", Weight: 0.8, Detail: fmt.Sprintf("%s on %s%s", ip, tag.List, labelSuffix(tag.Label))}}
	factors = append(factors, networkFactors(e)...)
	if p := in.Principal; p == nil || !p.UsedIP(ip, in.WindowStart) {
		factors = append(factors, event.Factor{Name: "new-ip-for-user", Weight: 0.1})
	}
	m := d.Meta()
	a := newAlert(m, e, factors, e.Key)
	a.Entities = append(baseEntities(e), ipEntity(e, "source"))
	a.Evidence = []event.Evidence{event.NewEvidence(e)}
	a.Description = fmt.Sprintf("%s %s from %s at %s; the address is on the threat-intelligence list %q%s.",
		e.Principal, activityVerb(e.Operation), e.SourceIP, e.Time.UTC().Format(time.RFC3339), tag.List, labelSuffix(tag.Label))
	a.Remediation = []string{
		"Treat the account as compromised: revoke its sessions and tokens, reset its credentials.",
		"Review every operation from this address and undo what the owner did not do.",
		"Block the address at the identity provider and the network edge.",
	}
	return []event.Alert{a}
}
