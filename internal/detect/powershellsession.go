package detect

import (
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// PowerShellPersistence raises "Suspicious management session using
// PowerShell": a principal whose history shows no Azure PowerShell use
// starts using it and performs a persistence action (see
// PersistenceCatalogue) through it: stolen credentials driven by an
// attacker's tooling rather than by the owner's usual portal or CLI.
//
// "Never used PowerShell" only means something after a learning period: a
// principal seen for less than Learning is not judged. Administrators who
// use PowerShell within Lookback stay quiet whatever they do. The start of
// PowerShell use is marked by the baseline at its first activity (the
// sign-in to the Azure PowerShell app when Entra sign-in logs are fed, the
// ARM operation otherwise), so the logs join by principal. One alert per
// start of use.
//
// Entra audit entries (directory events) whose user agent names PowerShell
// raise the same alert when their activity is a directory persistence
// action (an app or service principal credential, a permission grant, a
// role membership, a new user or guest): the pattern is the same, an
// identity nobody saw script anything suddenly scripting persistence, and
// it is the SimuLand Golden SAML lab's "new app secret through
// WindowsPowerShell". Learning and Lookback apply alike. PowerShell use
// counts from the baselines (baseline.IsPowerShell: Azure PowerShell
// sign-ins and ARM calls, and directory events whose user agent names
// PowerShell), and directory events join management sessions, so a first
// PowerShell session alerts once (the SimuLand run: on the permission
// grant, not again on the secret two minutes later).
type PowerShellPersistence struct {
	// Learning is the history a principal needs before it is judged.
	// Default 14 days.
	Learning time.Duration `yaml:"learning"`
	// Lookback: PowerShell used within it is habitual. Default 45 days, as
	// the reference system; at least baseline.MinDormancy (7 days).
	Lookback time.Duration `yaml:"lookback"`
}

var _ Detector = (*PowerShellPersistence)(nil)

// DefaultPowerShellPersistence returns the defaults.
func DefaultPowerShellPersistence() PowerShellPersistence {
	return PowerShellPersistence{Learning: 14 * 24 * time.Hour, Lookback: 45 * 24 * time.Hour}
}

// Meta implements Detector.
func (d *PowerShellPersistence) Meta() Meta {
	return Meta{
		ID: "powershell-persistence", Name: "Suspicious management session using PowerShell",
		AlertType: "ARM_UnusedAppPowershellPersistence", Severity: event.SeverityMedium,
		MITRE:  event.MITRE{Tactic: "Persistence", Technique: "Account Manipulation", TechniqueID: "T1098"},
		Inputs: []event.Kind{event.KindManagement, event.KindDirectory},
	}
}

// Detect implements Detector.
func (d *PowerShellPersistence) Detect(in *Input) []event.Alert {
	e, p := in.Event, in.Principal
	outcome := managementOutcome(e) && e.Result == event.ResultSuccess || directorySuccess(e)
	if !outcome || p == nil || !isPowerShell(e) {
		return nil
	}
	act, ok := Persistence(e.Operation)
	if !ok || (act.Source == SourceEntraAudit) != (e.Kind == event.KindDirectory) {
		return nil
	}
	now := e.Time.Unix()
	s := in.Tenant.Session(in.Index)
	at, prior, marked := s.PowerShellMark(e.Time)
	if !marked {
		at, prior = now, p.LastPowerShell
	}
	if prior != 0 && at-prior < int64(d.Lookback/time.Second) {
		return nil
	}
	if at-p.FirstSeen < int64(d.Learning/time.Second) {
		return nil
	}
	for _, o := range persistentOps(viewOps(s, e.Time), at) {
		if o.PowerShell {
			return nil
		}
	}
	history := time.Duration(at-p.FirstSeen) * time.Second
	first := fmt.Sprintf("no PowerShell use in %.0f days of history", history.Hours()/24)
	if prior != 0 {
		first = "last PowerShell use " + unixUTC(prior)
	}
	factors := []event.Factor{
		{Name: "new-powershell-use", Weight: 0.4, Detail: first},
		{Name: "persistence-action", Weight: 0.3, Detail: act.Technique + ": " + act.Why},
	}
	if s != nil && s.PowerShellUA != "" {
		factors = append(factors, event.Factor{Name: "powershell-sign-in", Weight: 0.05, Detail: "signed in to Azure PowerShell with user agent " + s.PowerShellUA})
	}
	if e.Kind == event.KindDirectory {
		factors = append(factors, event.Factor{Name: "powershell-user-agent", Weight: 0.05, Detail: "the directory change names PowerShell in its user agent: " + e.UserAgent})
	}
	m := d.Meta()
	a := newAlert(m, e, factors, e.Key)
	a.Entities = managementEntities(e)
	a.Evidence = []event.Evidence{event.NewEvidence(e)}
	a.Description = fmt.Sprintf(
		"%s started using PowerShell at %s (%s) and through it performed %q (%s) at %s on %s.",
		e.Principal, unixUTC(at), first, e.Operation, act.Technique, e.Time.UTC().Format(time.RFC3339), e.Resource)
	a.Remediation = []string{
		"Ask the principal's owner whether they started using PowerShell and made this change.",
		"If not, revoke the account's sessions, reset its credentials and undo the " + act.Technique + ".",
	}
	return []event.Alert{a}
}
