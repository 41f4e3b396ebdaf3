package detect

import (
	"fmt"
	"math"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/event"
)

// ImpossibleTravel raises "Impossible travel activity": two activities of
// one user from places whose distance, less both places' accuracy radius,
// cannot be covered at plausible travel speed in the time between them.
//
// Only successful interactive activities of users from public IPs count: a
// failed or non-interactive sign-in is not evidence of where the user is
// (a password spray from abroad fails; a token refresh runs wherever the
// client is), and neither is a management call from Microsoft's own
// network. It stays quiet during the user's learning period and when the
// IP is unchanged (an IP cannot travel; a geo-database update can move it).
//
// Its suppressions are about infrastructure, not place (see
// travelsuppress.go): declared VPN and corporate lists, shared egress (an IP
// or a network used by several other principals: SASE pools, carrier
// CGNAT, office NAT), anonymisers the staff share and habitual hops (a pair of endpoints the user makes
// again and again, or several colleagues make). A city or country that
// colleagues use is not a reason to be quiet: attackers relay through the
// victim's own city. It only lowers the confidence, with a factor saying
// so. Every alert lists the suppressions checked and why none applied.
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
	// SharedIPPrincipals: an IP used by at least this many other
	// principals within the window is shared egress. Default 4.
	SharedIPPrincipals int `yaml:"shared_ip_principals"`
	// SharedNetworkPrincipals: a network (baseline.egress_prefix_v4/v6,
	// /24 and /48 by default) used by at least this many other principals
	// within the window is shared egress. Default 4.
	SharedNetworkPrincipals int `yaml:"shared_network_principals"`
	// OrgAnonymiserPrincipals: an address on an anonymity list used by at
	// least this many other principals within the window is the staff's
	// own anonymiser. Default 2.
	OrgAnonymiserPrincipals int `yaml:"org_anonymiser_principals"`
	// HabitualHops: a hop between the same two endpoints (place and
	// network) the user made at least this many times in the window is
	// habitual (home and their Cloud PC). Default 3.
	HabitualHops int `yaml:"habitual_hops"`
	// OrgHopPrincipals: a hop at least this many other principals made in
	// the window is the organisation's (split tunnels). Default 3.
	OrgHopPrincipals int `yaml:"org_hop_principals"`
	// CommonPlacePrincipals: a place (≈55 km cell) used by at least this
	// many other principals within the window lowers the confidence.
	// Default 3.
	CommonPlacePrincipals int `yaml:"common_place_principals"`
	// SuppressionsOff names suppressions not to apply (see
	// TravelSuppressions), for evaluation or by choice. Default none.
	SuppressionsOff []string `yaml:"suppressions_off"`
}

var _ Detector = (*ImpossibleTravel)(nil)

// DefaultImpossibleTravel returns the defaults.
func DefaultImpossibleTravel() ImpossibleTravel {
	return ImpossibleTravel{
		MaxSpeedKmh: 900, MinDistanceKm: 500, Learning: 7 * 24 * time.Hour,
		SharedIPPrincipals: 4, SharedNetworkPrincipals: 4, OrgAnonymiserPrincipals: 2, HabitualHops: 3, OrgHopPrincipals: 3,
		CommonPlacePrincipals: 3,
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

// trip is a candidate pair of activities.
type trip struct {
	prev        *baseline.Fix
	prevTime    time.Time
	gap         time.Duration
	dist, eff   float64 // km, raw and after both accuracy radii
	speed       float64 // km/h over at least a minute
	checks      []event.SuppressionCheck
	placeOthers int
}

// Detect implements Detector.
func (d *ImpossibleTravel) Detect(in *Input) []event.Alert {
	tr, ok := d.candidate(in)
	if !ok {
		return nil
	}
	if d.suppressed(in, tr) {
		return nil
	}
	e := in.Event
	m := d.Meta()
	a := newAlert(m, e, d.factors(in, tr), tr.prev.Key, e.Key)
	a.Entities = append(baseEntities(e), fixEntity(tr.prev), ipEntity(e, "current"))
	a.Evidence = []event.Evidence{fixEvidence(e.Principal, tr.prev), event.NewEvidence(e)}
	a.SuppressionsChecked = tr.checks
	a.Description = d.describe(e, tr)
	a.Remediation = []string{
		"Confirm with the user whether both activities were theirs (travel, new device, VPN they did not declare).",
		"If not, revoke the user's sessions and refresh tokens, reset the password and re-register MFA.",
		"Review what the account did after the suspicious activity (mailbox rules, consent grants, role changes).",
		"If either address is a legitimate corporate VPN or egress, declare its ranges as a 'vpn' or 'corporate' list to silence this pair.",
	}
	return []event.Alert{a}
}

// candidate returns the pair e makes with the principal's fix when it is
// too fast for travel.
func (d *ImpossibleTravel) candidate(in *Input) (*trip, bool) {
	e, p := in.Event, in.Principal
	if !usableLocation(e) || !e.Location.HasCoord || p == nil || !p.HasFix() {
		return nil, false
	}
	if sinceUnix(e.Time, p.FirstSeen) < d.Learning {
		return nil, false
	}
	prev := &p.Fix
	if prev.IP == e.SourceIP.Unmap() || !prev.HasCoord {
		return nil, false
	}
	tr := trip{prev: prev, prevTime: time.Unix(prev.Time, 0).UTC()}
	tr.gap = e.Time.Sub(tr.prevTime)
	if tr.gap < 0 {
		return nil, false
	}
	tr.dist = haversineKm(float64(prev.Lat), float64(prev.Lon), e.Location.Lat, e.Location.Lon)
	tr.eff = tr.dist - float64(prev.RadiusKm) - e.Location.RadiusKm
	if tr.eff < d.MinDistanceKm {
		return nil, false
	}
	// A minute is the resolution of "at the same time".
	tr.speed = tr.eff / math.Max(tr.gap.Hours(), 1.0/60)
	if tr.speed <= d.MaxSpeedKmh {
		return nil, false
	}
	out := tr // on the heap only for the pairs that are candidates
	return &out, true
}

// describe says what happened, with the verb each kind of activity takes.
func (d *ImpossibleTravel) describe(e *event.Event, tr *trip) string {
	prev := tr.prev
	how := fmt.Sprintf("in %s, %.0f km/h", tr.gap.Round(time.Minute), tr.speed)
	if tr.gap < time.Minute {
		how = fmt.Sprintf("%s apart, which no travel covers", tr.gap.Round(time.Second))
	}
	s := fmt.Sprintf(
		"%s %s from %s (%s) at %s and %s from %s (%s) at %s: %.0f km apart (%.0f km after both locations' accuracy) %s, faster than the %.0f km/h anyone can travel.",
		e.Principal, activityVerb(prev.Operation), prev.IP, placeName(prev.City, prev.Country.String()), tr.prevTime.Format(time.RFC3339),
		activityVerb(e.Operation), e.SourceIP, placeName(e.Location.City, e.Location.Country), e.Time.UTC().Format(time.RFC3339),
		tr.dist, tr.eff, how, d.MaxSpeedKmh)
	if prev.App != "" {
		s += fmt.Sprintf(" Previous app %q.", prev.App)
	}
	if app := appOf(e); app != "" {
		s += fmt.Sprintf(" Current app %q.", app)
	}
	return s
}

// activityVerb is "signed in" for sign-ins and "performed <operation>"
// for anything else.
func activityVerb(op string) string {
	if op == "" || op == "sign-in" {
		return "signed in"
	}
	return fmt.Sprintf("performed %q", op)
}

func (d *ImpossibleTravel) factors(in *Input, tr *trip) []event.Factor {
	e, p := in.Event, in.Principal
	f := []event.Factor{{
		Name:   "implied-speed",
		Weight: round2(0.35 + 0.25*math.Min(1, math.Log10(tr.speed/d.MaxSpeedKmh))),
		Detail: fmt.Sprintf("%.0f km/h against a limit of %.0f", tr.speed, d.MaxSpeedKmh),
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
		f = append(f, event.Factor{Name: "different-client", Weight: 0.1, Detail: clientDetail(app, e.UserAgent)})
	}
	if t, ok := in.Tagged(CategoryTor, CategoryAnonymousProxy, CategoryAnonymousVPN); ok {
		f = append(f, event.Factor{Name: "anonymous-ip", Weight: 0.2, Detail: "on list " + t.List})
	}
	f = append(f, networkFactors(e)...)
	if tr.placeOthers > 0 {
		f = append(f, event.Factor{Name: "place-used-by-colleagues", Weight: -0.2,
			Detail: fmt.Sprintf("%d other principals used this place in the window: not a reason to be quiet (attackers relay from the victim's city), but less unusual", tr.placeOthers)})
	}
	if e.Location.Source == "builtin" || p.Fix.GeoSource == "builtin" {
		f = append(f, event.Factor{Name: "country-level-location", Weight: -0.15, Detail: "a location is only known to country level"})
	}
	if h := tr.gap.Hours(); h > 12 {
		f = append(f, event.Factor{Name: "long-gap", Weight: -0.1, Detail: fmt.Sprintf("%.0f h between the activities", h)})
	}
	return f
}

// networkFactors are what the source's AS says: hosting providers are
// where attackers rent relays; a mobile carrier's addresses are placed at
// its hubs, far from the user.
func networkFactors(e *event.Event) []event.Factor {
	n := e.Network
	switch n.Class {
	case event.NetHosting:
		return []event.Factor{{Name: "hosting-provider", Weight: 0.2, Detail: asName(n)}}
	case event.NetCloud:
		return []event.Factor{{Name: "cloud-provider", Weight: 0.1, Detail: asName(n)}}
	case event.NetMobile:
		return []event.Factor{{Name: "mobile-carrier", Weight: -0.2, Detail: asName(n) + ": carrier addresses are placed at its hubs"}}
	}
	return nil
}

func asName(n event.Network) string {
	if n.Org == "" {
		return fmt.Sprintf("AS%d", n.ASN)
	}
	return fmt.Sprintf("AS%d %s", n.ASN, n.Org)
}

func clientDetail(app, ua string) string {
	switch {
	case app != "" && ua != "":
		return fmt.Sprintf("app %q, user agent %q", app, ua)
	case app != "":
		return fmt.Sprintf("app %q", app)
	case ua != "":
		return fmt.Sprintf("user agent %q", ua)
	}
	return "no app or user agent"
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

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
	ent := event.Entity{Type: "ip", ID: f.IP.String(), Role: "previous", Location: fixLocation(f)}
	if n := f.Network(); n.Known() {
		ent.Network = &n
	}
	return ent
}

func fixEvidence(principal string, f *baseline.Fix) event.Evidence {
	ev := event.Evidence{
		Key: f.Key, Time: time.Unix(f.Time, 0).UTC(), Source: f.Source, Record: int(f.Record),
		Principal: principal, IP: f.IP.String(), Location: fixLocation(f), Operation: f.Operation,
		Result: event.ResultSuccess.String(), App: f.App, UserAgent: f.UserAgent,
	}
	if n := f.Network(); n.Known() {
		ev.Network = &n
	}
	return ev
}
