package detect

import (
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/event"
)

// PasswordSpray raises "Password spray": one address's network failing
// credentials against many accounts within a short window (Entra ID
// Protection's password spray, Defender for Cloud Apps' multiple failed
// login attempts). It counts credential failures only (wrong or unknown
// user name or password, lockouts, disabled accounts; see
// baseline.IsCredentialFailure) from Entra sign-ins and AWS console
// logins, and alerts once, on the failure that makes the distinct accounts
// reach MinAccounts. A user who mistypes is one account; a kiosk or a
// shared office egress where a few people mistype stays under the count.
type PasswordSpray struct {
	// MinAccounts is how many distinct accounts must fail from one network
	// within Window. Default 10, at most 16.
	MinAccounts int `yaml:"min_accounts"`
	// Window is how recent the failures must be. Default 1h (at most 1h).
	Window time.Duration `yaml:"window"`
}

var _ Detector = (*PasswordSpray)(nil)

// DefaultPasswordSpray returns the defaults.
func DefaultPasswordSpray() PasswordSpray {
	return PasswordSpray{MinAccounts: 10, Window: time.Hour}
}

// Meta implements Detector.
func (d *PasswordSpray) Meta() Meta {
	return Meta{
		ID: "password-spray", Name: "Password spray",
		AlertType: "PasswordSpray", Severity: event.SeverityMedium,
		MITRE:  event.MITRE{Tactic: "Credential Access", Technique: "Brute Force: Password Spraying", TechniqueID: "T1110.003"},
		Inputs: []event.Kind{event.KindSignIn, event.KindCloudTrail},
	}
}

// Detect implements Detector.
func (d *PasswordSpray) Detect(in *Input) []event.Alert {
	e := in.Event
	if !e.SourceIP.IsValid() || !baseline.IsCredentialFailure(e) {
		return nil
	}
	f := in.Tenant.FailuresFrom(e)
	since := e.Time.Add(-d.Window).Unix()
	if _, _, last := f.Run(in.Index); last >= since && last != 0 {
		return nil // this account already counted
	}
	others := f.Accounts(in.Index, since)
	if others+1 != d.MinAccounts {
		return nil
	}
	net := in.Tenant.Prefix(in.Tenant.NetOf(e.SourceIP))
	factors := []event.Factor{{Name: "accounts-failed", Weight: 0.7,
		Detail: fmt.Sprintf("%d accounts failed their credentials from %s within %s", others+1, net, d.Window)}}
	if e.ResultCode == "50053" {
		factors = append(factors, event.Factor{Name: "lockout", Weight: 0.1, Detail: "smart lockout engaged"})
	}
	factors = append(factors, networkFactors(e)...)
	if t, ok := in.Tagged(CategoryTor, CategoryAnonymousProxy, CategoryAnonymousVPN, CategoryMalicious); ok {
		factors = append(factors, event.Factor{Name: "listed-ip", Weight: 0.2, Detail: fmt.Sprintf("on %s list %s", t.Category, t.List)})
	}
	m := d.Meta()
	a := newAlert(m, e, factors, net.String(), e.Key)
	a.Entities = append(baseEntities(e), ipEntity(e, "source"))
	a.Evidence = []event.Evidence{event.NewEvidence(e)}
	a.Description = fmt.Sprintf(
		"%d accounts failed to sign in from %s within %s; the latest, %s from %s at %s (code %s). One source trying a password across many accounts is a spray.",
		others+1, net, d.Window, e.Principal, e.SourceIP, e.Time.UTC().Format(time.RFC3339), orDash(e.ResultCode))
	a.Remediation = []string{
		"Block the source network at the identity provider (named location or conditional access) if it is not the organisation's.",
		"Look for successful sign-ins from the same network (a Brute force that worked alert) and reset those accounts' passwords.",
		"Enforce MFA and banned-password lists for the accounts tried.",
	}
	return []event.Alert{a}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
