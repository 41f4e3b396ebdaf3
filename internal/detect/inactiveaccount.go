package detect

import (
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// InactiveAccount raises "Suspicious management session using an inactive
// account": a principal with no successful activity for Inactive comes
// back and performs a persistence action (see PersistenceCatalogue): the
// dormant account of someone who left, or a forgotten service principal,
// used to plant access.
//
// The return is marked by the baseline at the principal's first successful
// activity after the silence, whatever the log (a sign-in, or the ARM
// operation itself when only the Activity Log is fed), so a sign-in just
// before the session does not hide it. One alert per return: later
// persistence actions of the same session add nothing. A returning
// employee who does ordinary work (starts VMs, edits app settings) stays
// quiet.
type InactiveAccount struct {
	// Inactive is the silence that makes an account inactive. Default 21
	// days: longer than ordinary leave with its weekends; at least
	// baseline.MinDormancy (7 days).
	Inactive time.Duration `yaml:"inactive"`
}

var _ Detector = (*InactiveAccount)(nil)

// DefaultInactiveAccount returns the defaults.
func DefaultInactiveAccount() InactiveAccount { return InactiveAccount{Inactive: 21 * 24 * time.Hour} }

// Meta implements Detector.
func (d *InactiveAccount) Meta() Meta {
	return Meta{
		ID: "inactive-account-persistence", Name: "Suspicious management session using an inactive account",
		AlertType: "ARM_UnusedAccountPersistence", Severity: event.SeverityMedium,
		MITRE:  event.MITRE{Tactic: "Persistence", Technique: "Valid Accounts: Cloud Accounts", TechniqueID: "T1078.004"},
		Inputs: []event.Kind{event.KindManagement},
	}
}

// Detect implements Detector.
func (d *InactiveAccount) Detect(in *Input) []event.Alert {
	e, p := in.Event, in.Principal
	if !managementOutcome(e) || e.Result != event.ResultSuccess || p == nil {
		return nil
	}
	act, ok := Persistence(e.Operation)
	if !ok {
		return nil
	}
	now := e.Time.Unix()
	s := in.Tenant.Session(in.Index)
	returned, prior, marked := s.ReturnMark(e.Time)
	if !marked {
		// This event is the return itself (or there is none).
		returned, prior = now, p.LastSuccess
	}
	if prior == 0 || returned-prior < int64(d.Inactive/time.Second) {
		return nil
	}
	if len(persistentOps(viewOps(s, e.Time), returned)) > 0 {
		return nil
	}
	silent := time.Duration(returned-prior) * time.Second
	factors := []event.Factor{
		{Name: "inactive-account", Weight: min(0.6, 0.4+0.1*silent.Hours()/24/float64(d.Inactive.Hours()/24)),
			Detail: fmt.Sprintf("no successful activity for %.0f days before %s", silent.Hours()/24, unixUTC(returned))},
		{Name: "persistence-action", Weight: 0.3, Detail: act.Technique + ": " + act.Why},
	}
	if e.PrincipalKind != event.PrincipalUser {
		factors = append(factors, event.Factor{Name: "workload-identity", Weight: 0.1, Detail: "a " + e.PrincipalKind.String() + " that had stopped running"})
	}
	m := d.Meta()
	a := newAlert(m, e, factors, e.Key)
	a.Entities = managementEntities(e)
	a.Evidence = []event.Evidence{event.NewEvidence(e)}
	a.Description = fmt.Sprintf(
		"%s had no successful activity from %s to %s (%.0f days), then performed %q (%s) at %s on %s.",
		e.Principal, unixUTC(prior), unixUTC(returned), silent.Hours()/24, e.Operation, act.Technique,
		e.Time.UTC().Format(time.RFC3339), e.Resource)
	a.Remediation = []string{
		"Confirm with the account's owner or manager that it is back in legitimate use.",
		"If not, disable the account, revoke its sessions and undo the " + act.Technique + " it created.",
		"Disable accounts of people who left and service principals no longer used.",
	}
	return []event.Alert{a}
}
