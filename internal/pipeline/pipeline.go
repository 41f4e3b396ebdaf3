// Package pipeline drives activity events through Vedette: skip what was
// already processed, enrich (location, IP lists), run the detections enabled
// for the event's scope, then learn. `vedette detect` (files) and live
// sources share this one path, so replay and live give the same alerts.
package pipeline

import (
	"net/netip"
	"slices"
	"time"
	"unsafe"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/event"
)

// Locator finds where an IP address is.
type Locator interface {
	Locate(ip netip.Addr) (event.Location, bool)
}

// CountryLocator places a country code at its centre, with a radius that
// covers it; used when a record names a country but no coordinates.
type CountryLocator interface {
	CountryCentre(code string) (event.Location, bool)
}

// Lists tells which IP lists an address is on.
type Lists interface {
	Tags(ip netip.Addr) []detect.IPTag
}

// Networks tells who operates an address (its AS).
type Networks interface {
	Network(ip netip.Addr) (event.Network, bool)
}

// Intel matches an address against threat intelligence at a point in
// event time (STIX indicators have validity periods); a match is a
// malicious tag.
type Intel interface {
	Match(ip netip.Addr, t time.Time) (detect.IPTag, bool)
}

// Scoper returns the detections enabled for a tenant and subscription.
type Scoper interface {
	Detectors(tenant, subscription string) []detect.Detector
}

// Generations is a Scoper whose answers change at run time (settings
// changed through the API): when Generation changes, the pipeline drops
// the scopes it resolved, so the very next event sees the change.
type Generations interface {
	Generation() uint64
}

// Options are the pipeline's own settings.
type Options struct {
	// TrustRecordLocation: a record's own location (Entra's coordinates and
	// country) wins over IP lookup. Default true.
	TrustRecordLocation bool
}

// Deps are what the pipeline uses.
type Deps struct {
	Locator   Locator        // may be nil
	Countries CountryLocator // may be nil
	Lists     Lists          // may be nil
	Networks  Networks       // may be nil
	Intel     Intel          // may be nil
	Scoper    Scoper
}

// Stats count what the pipeline did.
type Stats struct {
	Processed   int            `json:"processed"`
	Replayed    int            `json:"already_processed"`
	Located     int            `json:"located"`
	Alerts      map[string]int `json:"alerts"`
	AllowListed int            `json:"suppressed_allow_list"`
}

// Pipeline is the activity path. Not safe for concurrent use: events go
// through it one at a time, in event-time order.
type Pipeline struct {
	lookups
	base    *baseline.Baselines
	stats   Stats
	lastDay uint32
	// scopes caches, per (tenant, subscription), the enabled detectors by
	// the kind of event they take: Meta builds a value on every call.
	scopes map[[2]string]*scope
	// lastScope and lastDetectors cache the last scope resolved.
	lastScope     [2]string
	lastDetectors *scope
	// gens, when the Scoper has them, and gen, the generation scopes holds.
	gens Generations
	gen  uint64
	// in is reused for every event: detectors must not keep it.
	in detect.Input
	// fixes caches the tags of each principal's fix (PrevTags).
	fixes fixTags
	sink  uint64 // keeps Prefetch's loads
}

// scope is the detectors of a scope that take each kind of event, by
// event.Kind, in the Scoper's order.
type scope [maxKinds][]detect.Detector

// maxKinds bounds the kinds of event a detector may take.
const maxKinds = 32

// New returns a pipeline learning into base.
func New(opts Options, base *baseline.Baselines, deps Deps) *Pipeline {
	p := &Pipeline{lookups: newLookups(opts, deps), base: base, stats: Stats{Alerts: map[string]int{}}, scopes: map[[2]string]*scope{}}
	if g, ok := deps.Scoper.(Generations); ok {
		p.gens, p.gen = g, g.Generation()
	}
	return p
}

// Stats returns the counters so far.
func (p *Pipeline) Stats() Stats { return p.stats }

// Process runs one event through the pipeline and returns its alerts.
func (p *Pipeline) Process(e *event.Event) []event.Alert {
	if p.base.Seen(e) {
		p.stats.Replayed++
		return nil
	}
	p.stats.Processed++
	if day := baseline.Day(e.Time); day > p.lastDay {
		if p.lastDay != 0 {
			p.base.Prune(e.Time)
		}
		p.lastDay = day
	}
	p.enrich(e)
	tenant := p.base.Tenant(e.Tenant)
	p.in = detect.Input{Event: e, Tenant: tenant, WindowStart: p.base.WindowStart(e.Time)}
	in := &p.in
	lists, intel, versioned := p.versions()
	var listed []detect.IPTag // the lists' tags of e's source IP
	if en := &e.Enrichment; en.Tagged && versioned && en.Lists == lists && en.Intel == intel {
		in.Tags, listed = en.SourceTags(), en.ListTags()
	} else {
		tags, ti := p.sourceTags(e, lists, intel)
		if tags != nil {
			in.Tags = *tags
		}
		if listed = in.Tags; ti {
			listed = in.Tags[:len(in.Tags)-1]
		}
	}
	if i, pr, ok := tenant.Lookup(e.Principal); ok {
		in.Index, in.Principal = i, pr
		if pr.HasFix() {
			in.PrevTags = p.fixTags(tenant, i, pr.Fix.IP, lists, versioned)
		}
	} else {
		in.Index = uint32(tenant.NumPrincipals())
	}
	var alerts []event.Alert
	if ds := p.detectors(e); int(e.Kind) < len(ds) {
		for _, d := range ds[e.Kind] {
			// Most detections raise nothing: appending an empty slice
			// still calls the runtime's copy of a pointered type.
			if as := d.Detect(in); len(as) > 0 {
				alerts = append(alerts, as...)
			}
		}
	}
	if len(alerts) > 0 {
		if _, ok := in.Tagged(detect.CategoryAllow); ok {
			p.stats.AllowListed += len(alerts)
			alerts = nil
		}
	}
	for _, a := range alerts {
		p.stats.Alerts[a.Detection]++
	}
	p.base.Learn(e)
	if versioned {
		p.learnedFix(tenant, in.Index, e, lists, listed)
	}
	return alerts
}

// enrich fills e's location and network, unless done ahead.
func (p *Pipeline) enrich(e *event.Event) {
	if en := &e.Enrichment; en.Done {
		if en.Located {
			p.stats.Located++
		}
		return
	}
	if p.locate(e) {
		p.stats.Located++
	}
	p.network(e)
}

// detectors returns the detections enabled for e's tenant and
// subscription, resolved once per scope.
func (p *Pipeline) detectors(e *event.Event) *scope {
	if p.gens != nil {
		if g := p.gens.Generation(); g != p.gen {
			p.gen, p.lastDetectors = g, nil
			clear(p.scopes)
		}
	}
	if p.lastDetectors != nil && sameAs(&p.lastScope[0], e.Tenant) && sameAs(&p.lastScope[1], e.Subscription) {
		return p.lastDetectors
	}
	key := [2]string{e.Tenant, e.Subscription}
	if ds, ok := p.scopes[key]; ok {
		p.lastScope, p.lastDetectors = key, ds
		return ds
	}
	ds := new(scope)
	for _, d := range p.deps.Scoper.Detectors(e.Tenant, e.Subscription) {
		for _, k := range slices.Compact(slices.Sorted(slices.Values(d.Meta().Inputs))) {
			if int(k) < maxKinds {
				ds[k] = append(ds[k], d)
			}
		}
	}
	p.scopes[key] = ds
	p.lastScope, p.lastDetectors = key, ds
	return ds
}

// sameAs reports whether s equals *held, and makes s the copy held: the
// events' strings are their decoders' copies, so the next event's is
// mostly the very same one, whose address spares comparing the bytes.
func sameAs(held *string, s string) bool {
	if len(*held) == len(s) && unsafe.StringData(*held) == unsafe.StringData(s) {
		return true
	}
	if *held != s {
		return false
	}
	*held = s
	return true
}
