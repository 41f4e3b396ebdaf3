package detect

import (
	"fmt"
	"math"
	"net/netip"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/event"
)

// ImpossibleTravel raises "Impossible travel activity": two activities of
// one user from places whose distance, less both places' accuracy radius,
// cannot be covered at plausible travel speed in the time between them.
//
// Only successful interactive activities from public IPs count: a failed or
// non-interactive sign-in is not evidence of where the user is (a password
// spray from abroad fails; a token refresh runs wherever the client is). It
// stays quiet during the user's learning period, when the IP is unchanged
// (an IP cannot travel; a geo-database update can move it), when either IP
// is in a declared VPN or corporate range, when the new IP is shared egress
// used by many principals of the organisation, and when the new place is
// one other users of the organisation regularly use.
type ImpossibleTravel struct {
	// MaxSpeedKmh is the fastest plausible travel, door to door. Default
	// 900: an airliner's cruise; with airports on both ends real trips are
	// slower, so anything faster is not travel.
	MaxSpeedKmh float64 `yaml:"max_speed_kmh"`
	// MinDistanceKm is the least distance, after subtracting both accuracy
	// radii, worth alerting on. Default 500.
	MinDistanceKm float64 `yaml:"min_distance_km"`
	// Learning is each user's learning period from first activity. Default 7 days.
	Learning time.Duration `yaml:"learning"`
	// SharedIPPrincipals: a new IP used by at least this many other
	// principals within the window is shared egress. Default 4.
	SharedIPPrincipals int `yaml:"shared_ip_principals"`
	// CommonPlacePrincipals: a place (≈55 km cell) used by at least this
	// many other principals within the window is regular for the
	// organisation. Default 3.
	CommonPlacePrincipals int `yaml:"common_place_principals"`
}

var _ Detector = (*ImpossibleTravel)(nil)

// DefaultImpossibleTravel returns the defaults.
func DefaultImpossibleTravel() ImpossibleTravel {
	return ImpossibleTravel{
		MaxSpeedKmh: 900, MinDistanceKm: 500, Learning: 7 * 24 * time.Hour,
		SharedIPPrincipals: 4, CommonPlacePrincipals: 3,
	}
}

// Meta implements Detector.
func (d *ImpossibleTravel) Meta() Meta {
	return Meta{
		ID: "impossible-travel", Name: "Impossible travel activity",
		AlertType: "ImpossibleTravelActivity", Severity: event.SeverityMedium,
		MITRE:  event.MITRE{Tactic: "Initial Access", Technique: "Valid Accounts: Cloud Accounts", TechniqueID: "T1078.004"},
		Inputs: []event.Kind{event.KindSignIn, event.KindManagement, event.KindCloudTrail},
	}
}

// Detect implements Detector.
func (d *ImpossibleTravel) Detect(in *Input) []event.Alert {
	e, p := in.Event, in.Principal
	if !usableLocation(e) || !e.Location.HasCoord || p == nil || !p.HasFix() {
		return nil
	}
	if e.Time.Sub(time.Unix(p.FirstSeen, 0)) < d.Learning {
		return nil
	}
	prev := &p.Fix
	if prev.IP == e.SourceIP.Unmap() || !prev.HasCoord {
		return nil
	}
	prevTime := time.Unix(prev.Time, 0)
	hours := hoursBetween(prevTime, e.Time)
	if hours < 0 {
		return nil
	}
	dist := haversineKm(float64(prev.Lat), float64(prev.Lon), e.Location.Lat, e.Location.Lon)
	eff := dist - float64(prev.RadiusKm) - e.Location.RadiusKm
	if eff < d.MinDistanceKm {
		return nil
	}
	// A minute is the resolution of "at the same time".
	speed := eff / math.Max(hours, 1.0/60)
	if speed <= d.MaxSpeedKmh || d.suppressed(in, prev) {
		return nil
	}
	factors := d.factors(in, speed, hours)
	m := d.Meta()
	a := newAlert(m, e, factors, prev.Key, e.Key)
	a.Entities = append(baseEntities(e), fixEntity(prev), ipEntity(e, "current"))
	a.Evidence = []event.Evidence{fixEvidence(e.Principal, prev), event.NewEvidence(e)}
	a.Description = fmt.Sprintf(
		"%s signed in from %s (%s) at %s and from %s (%s) at %s: %.0f km apart (%.0f km after both locations' accuracy) in %s, %.0f km/h, faster than the %.0f km/h anyone can travel. Previous app %q, current app %q.",
		e.Principal, prev.IP, placeName(prev.City, prev.Country.String()), prevTime.UTC().Format(time.RFC3339),
		e.SourceIP, placeName(e.Location.City, e.Location.Country), e.Time.UTC().Format(time.RFC3339),
		dist, eff, e.Time.Sub(prevTime).Round(time.Minute), speed, d.MaxSpeedKmh, prev.App, appOf(e))
	a.Remediation = []string{
		"Confirm with the user whether both activities were theirs (travel, new device, VPN they did not declare).",
		"If not, revoke the user's sessions and refresh tokens, reset the password and re-register MFA.",
		"Review what the account did after the suspicious activity (mailbox rules, consent grants, role changes).",
		"If the location is a legitimate corporate VPN or egress, declare its ranges as a 'vpn' or 'corporate' list to silence this pair.",
	}
	return []event.Alert{a}
}

func (d *ImpossibleTravel) suppressed(in *Input, prev *baseline.Fix) bool {
	for _, tags := range [][]IPTag{in.Tags, in.PrevTags} {
		for _, t := range tags {
			if t.Category == CategoryVPN || t.Category == CategoryCorporate || t.Category == CategoryAllow {
				return true
			}
		}
	}
	// Shared egress (corporate NAT, zero-trust gateways, global data plans)
	// says where the gateway is, not the user: on either side of the pair it
	// makes the distance meaningless.
	for _, ip := range []netip.Addr{in.Event.SourceIP.Unmap(), prev.IP} {
		if in.Tenant.IPUsage(ip).Others(in.Index, in.WindowStart) >= d.SharedIPPrincipals {
			return true
		}
	}
	cell := baseline.CellOf(in.Event.Location.Lat, in.Event.Location.Lon)
	return in.Tenant.Cells[cell].Others(in.Index, in.WindowStart) >= d.CommonPlacePrincipals
}

func (d *ImpossibleTravel) factors(in *Input, speed, hours float64) []event.Factor {
	e, p := in.Event, in.Principal
	f := []event.Factor{{
		Name:   "implied-speed",
		Weight: 0.35 + 0.25*math.Min(1, math.Log10(speed/d.MaxSpeedKmh)),
		Detail: fmt.Sprintf("%.0f km/h against a limit of %.0f", speed, d.MaxSpeedKmh),
	}}
	c := baseline.CountryOf(e.Location.Country)
	if c != 0 && !p.UsedCountry(c, in.WindowStart) {
		f = append(f, event.Factor{Name: "new-country-for-user", Weight: 0.3, Detail: e.Location.Country + " not used by this user in the window"})
	}
	if c != 0 && in.Tenant.Countries[c].Others(in.Index, in.WindowStart) == 0 {
		f = append(f, event.Factor{Name: "country-unused-in-org", Weight: 0.2, Detail: "no other user of the organisation used " + e.Location.Country + " in the window"})
	}
	if !p.UsedIP(e.SourceIP.Unmap(), in.WindowStart) {
		f = append(f, event.Factor{Name: "new-ip-for-user", Weight: 0.1})
	}
	if app := appOf(e); app != p.Fix.App || e.UserAgent != p.Fix.UserAgent {
		f = append(f, event.Factor{Name: "different-client", Weight: 0.1, Detail: fmt.Sprintf("app %q, user agent %q", app, e.UserAgent)})
	}
	if t, ok := in.Tagged(CategoryTor, CategoryAnonymousProxy, CategoryAnonymousVPN); ok {
		f = append(f, event.Factor{Name: "anonymous-ip", Weight: 0.2, Detail: "on list " + t.List})
	}
	if e.Location.Source == "builtin" || p.Fix.GeoSource == "builtin" {
		f = append(f, event.Factor{Name: "country-level-location", Weight: -0.15, Detail: "a location is only known to country level"})
	}
	if hours > 12 {
		f = append(f, event.Factor{Name: "long-gap", Weight: -0.1, Detail: fmt.Sprintf("%.0f h between the activities", hours)})
	}
	return f
}

func appOf(e *event.Event) string {
	if e.AppName != "" {
		return e.AppName
	}
	return e.AppID
}

func placeName(city, country string) string {
	switch {
	case city != "" && country != "":
		return city + ", " + country
	case country != "":
		return country
	}
	return "unknown place"
}

func fixLocation(f *baseline.Fix) *event.Location {
	return &event.Location{
		Country: f.Country.String(), City: f.City, Lat: float64(f.Lat), Lon: float64(f.Lon),
		RadiusKm: float64(f.RadiusKm), HasCoord: f.HasCoord, Source: f.GeoSource, Build: f.GeoBuild,
	}
}

func fixEntity(f *baseline.Fix) event.Entity {
	return event.Entity{Type: "ip", ID: f.IP.String(), Role: "previous", Location: fixLocation(f)}
}

func fixEvidence(principal string, f *baseline.Fix) event.Evidence {
	return event.Evidence{
		Key: f.Key, Time: time.Unix(f.Time, 0).UTC(), Source: f.Source, Record: int(f.Record),
		Principal: principal, IP: f.IP.String(), Location: fixLocation(f), Operation: f.Operation,
		Result: event.ResultSuccess.String(), App: f.App, UserAgent: f.UserAgent,
	}
}
