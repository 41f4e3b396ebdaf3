package detect

import (
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/event"
)

// AnonymousIP raises "Activity from anonymous IP addresses": a successful
// activity from an IP on an anonymity list (Tor exit nodes, anonymous
// proxies, anonymising VPN services).
//
// It stays quiet for an IP widely used inside the organisation (a
// commercial VPN the company pays for shows up as an "anonymous" range),
// for the organisation's declared VPN and corporate lists (allow lists are
// applied to every detection by the pipeline), and for a
// user who already used this IP within the last day (one alert per user, IP
// and day).
type AnonymousIP struct {
	// Learning is the organisation's learning period: until it has passed
	// the baseline cannot tell the company's own VPN service from an
	// attacker's proxy. Default 7 days.
	Learning time.Duration `yaml:"learning"`
	// OrgCommonPrincipals: an IP used by at least this many other
	// principals within the window is the organisation's own. Default 3.
	OrgCommonPrincipals int `yaml:"org_common_principals"`
	// Repeat: a user who used the same anonymous IP within this long (at
	// day resolution) raises no new alert; continued use alerts once, a
	// return after a longer gap alerts again. Default 24h.
	Repeat time.Duration `yaml:"repeat"`
}

var _ Detector = (*AnonymousIP)(nil)

// DefaultAnonymousIP returns the defaults.
func DefaultAnonymousIP() AnonymousIP {
	return AnonymousIP{Learning: 7 * 24 * time.Hour, OrgCommonPrincipals: 3, Repeat: 24 * time.Hour}
}

// Meta implements Detector.
func (d *AnonymousIP) Meta() Meta {
	return Meta{
		ID: "anonymous-ip", Name: "Activity from anonymous IP addresses",
		AlertType: "AnonymousIPActivity", Severity: event.SeverityMedium,
		MITRE:  event.MITRE{Tactic: "Defense Evasion", Technique: "Proxy: Multi-hop Proxy", TechniqueID: "T1090.003"},
		Inputs: []event.Kind{event.KindSignIn, event.KindManagement, event.KindCloudTrail},
	}
}

// Detect implements Detector.
func (d *AnonymousIP) Detect(in *Input) []event.Alert {
	e := in.Event
	if e.Result != event.ResultSuccess || !e.SourceIP.IsValid() {
		return nil
	}
	if in.Tenant.FirstSeen == 0 || sinceUnix(e.Time, in.Tenant.FirstSeen) < d.Learning {
		return nil
	}
	tag, ok := in.Tagged(CategoryTor, CategoryAnonymousProxy, CategoryAnonymousVPN)
	if !ok {
		return nil
	}
	if _, own := in.Tagged(CategoryVPN, CategoryCorporate); own {
		return nil
	}
	ip := e.SourceIP.Unmap()
	others := in.Tenant.IPUsage(ip).Others(in.Index, in.WindowStart)
	if others >= d.OrgCommonPrincipals {
		return nil
	}
	p := in.Principal
	if p != nil {
		if last := p.IPLastDay(ip); last != 0 && last >= baseline.Day(e.Time.Add(-d.Repeat)) {
			return nil
		}
	}
	factors := []event.Factor{{Name: "anonymity-list", Weight: 0.6, Detail: fmt.Sprintf("%s on list %s (%s)", ip, tag.List, tag.Category)}}
	if tag.Category == CategoryTor {
		factors = append(factors, event.Factor{Name: "tor-exit", Weight: 0.2})
	}
	if others > 0 {
		factors = append(factors, event.Factor{Name: "used-by-others", Weight: -0.2, Detail: fmt.Sprintf("%d other principals used this IP in the window", others)})
	}
	if p == nil || !p.UsedIP(ip, in.WindowStart) {
		factors = append(factors, event.Factor{Name: "new-ip-for-user", Weight: 0.1})
	}
	if c := baseline.CountryOf(e.Location.Country); c != 0 && (p == nil || !p.UsedCountry(c, in.WindowStart)) {
		factors = append(factors, event.Factor{Name: "new-country-for-user", Weight: 0.1, Detail: e.Location.Country})
	}
	m := d.Meta()
	a := newAlert(m, e, factors, e.Key)
	a.Entities = append(baseEntities(e), ipEntity(e, "current"))
	a.Evidence = []event.Evidence{event.NewEvidence(e)}
	a.Description = fmt.Sprintf(
		"%s performed %q from %s at %s; the address is on the %s list %q%s. Anonymising services hide where an attacker is and are rarely used for ordinary work.",
		e.Principal, e.Operation, e.SourceIP, e.Time.UTC().Format(time.RFC3339), tag.Category, tag.List, labelSuffix(tag.Label))
	a.Remediation = []string{
		"Ask the user whether they used Tor, a proxy or a VPN service at that time.",
		"If not, revoke the user's sessions, reset the password and re-register MFA.",
		"If the organisation sanctions this VPN service, declare its ranges as a 'vpn' list.",
	}
	return []event.Alert{a}
}

func labelSuffix(label string) string {
	if label == "" {
		return ""
	}
	return " (" + label + ")"
}
