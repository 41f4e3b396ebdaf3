package detect

import (
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// publishXML is the operation that downloads an App Service publishing
// profile (deployment credentials).
const publishXML = "microsoft.web/sites/publishxml/action"

// Azurite raises "Azurite toolkit run": through Azure PowerShell, one
// session downloads the publishing profiles of several web apps, each
// repeatedly, as F-Secure's Azurite Explorer does (it fetches every app's
// profile three times while enumerating the subscription).
//
// Azurite otherwise only reads, and the Activity Log records no reads: this
// is what shows of it there. Its Key Vault sweeps are visible only in Key
// Vault's own logs, which Vedette does not read, so the alert is a
// heuristic and its confidence says so. An administrator who downloads one
// app's profile (to deploy from Visual Studio), or a profile of each of a
// few apps once, stays below the signature.
//
// The signature grows monotonically within a session (distinct apps, and
// repeated downloads), so it fires once per session.
type Azurite struct {
	// MinApps is how many distinct web apps must be fetched. Default 3.
	MinApps int `yaml:"min_apps"`
	// PerApp is how many downloads per app Azurite makes. Default 3: the
	// session must show at least (PerApp-1)×MinApps repeated downloads.
	PerApp int `yaml:"per_app"`
}

var _ Detector = (*Azurite)(nil)

// DefaultAzurite returns the defaults.
func DefaultAzurite() Azurite { return Azurite{MinApps: 3, PerApp: 3} }

// Meta implements Detector.
func (d *Azurite) Meta() Meta {
	return Meta{
		ID: "azurite", Name: "Azurite toolkit run",
		AlertType: "ARM_Azurite", Severity: event.SeverityHigh,
		MITRE:  event.MITRE{Tactic: "Collection", Technique: "Data from Cloud Storage", TechniqueID: "T1530"},
		Inputs: []event.Kind{event.KindManagement},
	}
}

// Detect implements Detector.
func (d *Azurite) Detect(in *Input) []event.Alert {
	e := in.Event
	if !managementOutcome(e) || e.Operation != publishXML || !isPowerShell(e) {
		return nil
	}
	before, after := sessionPair(in)
	was, _ := findOp(before, publishXML)
	is, _ := findOp(after, publishXML)
	if d.matches(was) || !d.matches(is) || !is.PowerShell {
		return nil
	}
	factors := []event.Factor{
		{Name: "repeated-publishing-profiles", Weight: 0.5,
			Detail: fmt.Sprintf("%d publishing profile downloads of %d web apps since %s", is.N, is.Distinct, unixUTC(is.First))},
		{Name: "azure-powershell", Weight: 0.2, Detail: "downloaded through Azure PowerShell (appid " + e.AppID + ")"},
		{Name: "heuristic", Weight: -0.25, Detail: "Azurite's reads and Key Vault sweeps are not in the Activity Log; only its profile downloads are"},
	}
	m := d.Meta()
	a := newAlert(m, e, factors, e.Key)
	a.Entities = managementEntities(e)
	a.Evidence = []event.Evidence{event.NewEvidence(e)}
	a.Description = fmt.Sprintf(
		"%s downloaded App Service publishing profiles %d times for %d web apps through Azure PowerShell between %s and %s, several times each: the pattern of the Azurite toolkit enumerating a subscription. Publishing profiles hold deployment credentials.",
		e.Principal, is.N, is.Distinct, unixUTC(is.First), e.Time.UTC().Format(time.RFC3339))
	a.Remediation = []string{
		"Confirm with the principal's owner whether they ran Azurite or a similar assessment.",
		"If not, disable the account, revoke its sessions and reset the publishing credentials of the web apps it reached.",
		"Review Key Vault diagnostic logs for the same principal, where they are collected.",
	}
	return []event.Alert{a}
}

// matches reports whether o shows the signature: MinApps apps, with at
// least (PerApp-1) repeated downloads per app on average.
func (d *Azurite) matches(o sessionView) bool {
	return o.Distinct >= d.MinApps && o.N-o.Distinct >= (d.PerApp-1)*d.MinApps
}
