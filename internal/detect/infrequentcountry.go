package detect

import (
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/event"
)

// InfrequentCountry raises "Activity from infrequent country": a successful
// interactive activity from a country that no principal of the organisation
// used within the window (30 days by default).
//
// As Sentinel splits it, there are three novelties: first time for this
// user, uncommon among the organisation's users, first time for the
// organisation. It alerts on the organisation-level one and keeps the others
// as confidence factors. It waits for the organisation's own learning
// period, and ignores declared VPN and corporate egress (their country is
// where the gateway is). One alert per country: once a country has been
// used it is known to the organisation for the window.
type InfrequentCountry struct {
	// Learning is the organisation's learning period from its first
	// activity. Default 7 days.
	Learning time.Duration `yaml:"learning"`
}

var _ Detector = (*InfrequentCountry)(nil)

// DefaultInfrequentCountry returns the defaults.
func DefaultInfrequentCountry() InfrequentCountry {
	return InfrequentCountry{Learning: 7 * 24 * time.Hour}
}

// Meta implements Detector.
func (d *InfrequentCountry) Meta() Meta {
	return Meta{
		ID: "infrequent-country", Name: "Activity from infrequent country",
		AlertType: "ActivityFromInfrequentCountry", Severity: event.SeverityMedium,
		MITRE:  event.MITRE{Tactic: "Initial Access", Technique: "Valid Accounts: Cloud Accounts", TechniqueID: "T1078.004"},
		Inputs: []event.Kind{event.KindSignIn, event.KindManagement, event.KindCloudTrail},
	}
}

// Detect implements Detector.
func (d *InfrequentCountry) Detect(in *Input) []event.Alert {
	e := in.Event
	c := baseline.CountryOf(e.Location.Country)
	if !usableLocation(e) || c == 0 {
		return nil
	}
	if in.Tenant.FirstSeen == 0 || sinceUnix(e.Time, in.Tenant.FirstSeen) < d.Learning {
		return nil
	}
	u, known := in.Tenant.Countries[c]
	if known && uint32(u.LastDay) >= in.WindowStart {
		return nil
	}
	if _, ok := in.Tagged(CategoryVPN, CategoryCorporate); ok {
		return nil
	}
	factors := []event.Factor{{Name: "country-unused-in-org", Weight: 0.5,
		Detail: fmt.Sprintf("no user of the organisation used %s in the last %d days", e.Location.Country, in.windowDays())}}
	if !known {
		factors = append(factors, event.Factor{Name: "first-time-for-org", Weight: 0.3, Detail: "never seen in this organisation's history"})
	} else {
		factors = append(factors, event.Factor{Name: "seen-before-window", Weight: -0.1,
			Detail: "last used by the organisation " + time.Unix(int64(u.LastDay)*86400, 0).UTC().Format(time.DateOnly)})
	}
	if p := in.Principal; p == nil || !p.UsedCountry(c, 0) {
		factors = append(factors, event.Factor{Name: "first-time-for-user", Weight: 0.2})
	}
	if t, ok := in.Tagged(CategoryTor, CategoryAnonymousProxy, CategoryAnonymousVPN); ok {
		factors = append(factors, event.Factor{Name: "anonymous-ip", Weight: 0.2, Detail: "on list " + t.List})
	}
	m := d.Meta()
	a := newAlert(m, e, factors, e.Key)
	loc := e.Location // a copy: the alert outlives the event (which detect recycles)
	a.Entities = append(baseEntities(e), ipEntity(e, "current"),
		event.Entity{Type: "location", ID: e.Location.Country, Location: &loc})
	a.Evidence = []event.Evidence{event.NewEvidence(e)}
	a.Description = fmt.Sprintf(
		"%s performed %q from %s (%s) at %s. No user of the organisation used %s in the last %d days.",
		e.Principal, e.Operation, e.SourceIP, placeName(e.Location.City, e.Location.Country),
		e.Time.UTC().Format(time.RFC3339), e.Location.Country, in.windowDays())
	a.Remediation = []string{
		"Ask the user whether they are in " + e.Location.Country + " or use a service that egresses there.",
		"If not, revoke the user's sessions, reset the password and re-register MFA.",
		"Consider a conditional-access policy that blocks countries the organisation never works from.",
	}
	return []event.Alert{a}
}

// windowDays is the length of the window in days.
func (in *Input) windowDays() int {
	return int(baseline.Day(in.Event.Time) - in.WindowStart)
}
