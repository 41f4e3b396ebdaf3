// Package detect holds Vedette's detections on activity events and the
// runner that applies them. A detection is one file: its type, its Meta, its
// Detect method and a doc comment saying what it looks for and why it stays
// quiet where it does.
package detect

import (
	"math"
	"slices"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/event"
)

// Meta describes a detection.
type Meta struct {
	ID        string // stable kebab-case ID, used in config and alerts
	Name      string // the name users know
	AlertType string // the reference system's alert type
	Severity  event.Severity
	MITRE     event.MITRE
	Inputs    []event.Kind // kinds of events the detection looks at
}

// Detector turns one normalized event, plus what the baselines know, into
// alerts. Detect must be deterministic: time comes from the event, and it
// does no I/O.
type Detector interface {
	Meta() Meta
	Detect(in *Input) []event.Alert
}

// IP list categories the detections understand.
const (
	CategoryTor            = "tor-exit"
	CategoryAnonymousProxy = "anonymous-proxy"
	CategoryAnonymousVPN   = "anonymous-vpn"
	CategoryVPN            = "vpn"       // the organisation's own declared VPN egress
	CategoryCorporate      = "corporate" // the organisation's own egress ranges
	CategoryAllow          = "allow"     // never alert on activity from these (e.g. pen-test sources)
	CategoryMalicious      = "malicious" // threat intelligence
)

// IPTag is one IP list an address is on (defined in package event, so
// that an event can carry the tags enrichment computed ahead).
type IPTag = event.IPTag

// Input is what a detection sees of one event.
type Input struct {
	Event  *event.Event
	Tenant *baseline.Tenant
	// Principal is the acting principal's state before this event, nil the
	// first time it is seen; Index is its index in the tenant.
	Principal *baseline.Principal
	Index     uint32
	// WindowStart is the first day (baseline.Day) that counts as recent.
	WindowStart uint32
	// Tags are the IP lists the event's source IP is on; PrevTags those the
	// IP of the principal's previous located activity is on.
	Tags, PrevTags []IPTag
}

// Tagged reports whether the source IP is on a list of any of categories.
func (in *Input) Tagged(categories ...string) (IPTag, bool) {
	for _, t := range in.Tags {
		if slices.Contains(categories, t.Category) {
			return t, true
		}
	}
	return IPTag{}, false
}

// usableLocation reports whether e is evidence of where its principal is
// (baseline.IsLocationEvidence).
func usableLocation(e *event.Event) bool { return baseline.IsLocationEvidence(e) }

// earthRadiusKm is the mean Earth radius.
const earthRadiusKm = 6371.0088

// haversineKm is the great-circle distance between two points.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

// confidence combines factors: positive weights add evidence as independent
// probabilities (1-Π(1-w)), negative weights then scale the result down.
func confidence(factors []event.Factor) float64 {
	miss := 1.0
	scale := 1.0
	for _, f := range factors {
		if f.Weight >= 0 {
			miss *= 1 - f.Weight
		} else {
			scale *= 1 + f.Weight
		}
	}
	c := (1 - miss) * scale
	return math.Round(c*100) / 100
}

// newAlert fills the fields every alert of d shares.
func newAlert(m Meta, e *event.Event, factors []event.Factor, keys ...string) event.Alert {
	return event.Alert{
		ID:           event.AlertID(m.ID, e.Tenant, e.Principal, keys...),
		Detection:    m.ID,
		Name:         m.Name,
		AlertType:    m.AlertType,
		Severity:     m.Severity,
		Confidence:   confidence(factors),
		Factors:      factors,
		MITRE:        m.MITRE,
		Time:         e.Time.UTC(),
		Tenant:       e.Tenant,
		Subscription: e.Subscription,
		Principal:    e.Principal,
	}
}

// baseEntities are the principal, tenant and subscription of e.
func baseEntities(e *event.Event) []event.Entity {
	ents := []event.Entity{{Type: "principal", ID: e.Principal}}
	if e.Tenant != "" {
		ents = append(ents, event.Entity{Type: "tenant", ID: e.Tenant})
	}
	if e.Subscription != "" {
		ents = append(ents, event.Entity{Type: "subscription", ID: e.Subscription})
	}
	return ents
}

// ipEntity describes e's source IP and location.
func ipEntity(e *event.Event, role string) event.Entity {
	ent := event.Entity{Type: "ip", ID: e.SourceIP.String(), Role: role}
	if e.Location.Known() {
		loc := e.Location
		ent.Location = &loc
	}
	return ent
}

func hoursBetween(a, b time.Time) float64 { return b.Sub(a).Hours() }
