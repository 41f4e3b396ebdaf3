// Package pipeline drives activity events through Vedette: skip what was
// already processed, enrich (location, IP lists), run the detections enabled
// for the event's scope, then learn. `vedette detect` (files) and live
// sources share this one path, so replay and live give the same alerts.
package pipeline

import (
	"encoding/binary"
	"net/netip"
	"time"

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
	opts    Options
	deps    Deps
	base    *baseline.Baselines
	stats   Stats
	lastDay uint32
	// scopes caches, per (tenant, subscription), the enabled detectors and
	// the kinds of event each takes: Meta builds a value on every call.
	scopes map[[2]string][]scoped
	// lastScope and lastDetectors cache the last scope resolved.
	lastScope     [2]string
	lastDetectors []scoped
	// gens, when the Scoper has them, and gen, the generation scopes holds.
	gens Generations
	gen  uint64
	// in is reused for every event: detectors must not keep it.
	in detect.Input
	// nets caches AS lookups by address: a session's operations and a
	// client's refreshes come in runs from one address, and a user's
	// sign-ins from a few.
	nets *netCache
}

type scoped struct {
	d     detect.Detector
	kinds uint32 // bit per event.Kind
}

// New returns a pipeline learning into base.
func New(opts Options, base *baseline.Baselines, deps Deps) *Pipeline {
	p := &Pipeline{opts: opts, deps: deps, base: base, stats: Stats{Alerts: map[string]int{}}, scopes: map[[2]string][]scoped{}}
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
	p.locate(e)
	p.network(e)
	tenant := p.base.Tenant(e.Tenant)
	p.in = detect.Input{Event: e, Tenant: tenant, WindowStart: p.base.WindowStart(e.Time)}
	in := &p.in
	if i, pr, ok := tenant.Lookup(e.Principal); ok {
		in.Index, in.Principal = i, pr
		if pr.HasFix() {
			in.PrevTags = p.tags(pr.Fix.IP)
		}
	} else {
		in.Index = uint32(tenant.NumPrincipals())
	}
	in.Tags = p.tags(e.SourceIP)
	if p.deps.Intel != nil && e.SourceIP.IsValid() {
		if tag, ok := p.deps.Intel.Match(e.SourceIP.Unmap(), e.Time); ok {
			in.Tags = append(in.Tags[:len(in.Tags):len(in.Tags)], tag)
		}
	}
	var alerts []event.Alert
	for _, s := range p.detectors(e) {
		if s.kinds&(1<<e.Kind) != 0 {
			alerts = append(alerts, s.d.Detect(in)...)
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
	return alerts
}

// detectors returns the detections enabled for e's tenant and
// subscription, resolved once per scope.
func (p *Pipeline) detectors(e *event.Event) []scoped {
	key := [2]string{e.Tenant, e.Subscription}
	if p.gens != nil {
		if g := p.gens.Generation(); g != p.gen {
			p.gen, p.lastDetectors = g, nil
			clear(p.scopes)
		}
	}
	if p.lastDetectors != nil && key == p.lastScope {
		return p.lastDetectors
	}
	if ds, ok := p.scopes[key]; ok {
		p.lastScope, p.lastDetectors = key, ds
		return ds
	}
	var ds []scoped
	for _, d := range p.deps.Scoper.Detectors(e.Tenant, e.Subscription) {
		var kinds uint32
		for _, k := range d.Meta().Inputs {
			kinds |= 1 << k
		}
		ds = append(ds, scoped{d: d, kinds: kinds})
	}
	p.scopes[key] = ds
	p.lastScope, p.lastDetectors = key, ds
	return ds
}

func (p *Pipeline) tags(ip netip.Addr) []detect.IPTag {
	if p.deps.Lists == nil || !ip.IsValid() {
		return nil
	}
	return p.deps.Lists.Tags(ip.Unmap())
}

// network fills e.Network from the source IP's AS.
func (p *Pipeline) network(e *event.Event) {
	if p.deps.Networks == nil || e.Network.Known() || !e.SourceIP.IsValid() || !event.IsPublicIP(e.SourceIP) {
		return
	}
	if p.nets == nil {
		p.nets = new(netCache)
	}
	ip := e.SourceIP.Unmap()
	c := &p.nets[netSlot(ip)]
	if !c.set || c.ip != ip {
		c.net, c.ok = p.deps.Networks.Network(ip)
		c.ip, c.set = ip, true
	}
	if c.ok {
		e.Network = c.net
	}
}

// netCache is a direct-mapped cache of AS lookups: Networks' answers do
// not change while a pipeline runs.
type netCache [256]struct {
	ip      netip.Addr
	net     event.Network
	ok, set bool
}

// netSlot hashes an address to its slot in a netCache.
func netSlot(ip netip.Addr) int {
	b := ip.As16()
	h := binary.LittleEndian.Uint64(b[:8]) ^ binary.LittleEndian.Uint64(b[8:])
	return int((h * 0x9e3779b97f4a7c15) >> 56)
}

// locate fills e.Location. A record's own coordinates win when trusted; a
// record that names only a country keeps that country, placed by IP lookup
// when the lookup agrees and at the country's centre otherwise.
func (p *Pipeline) locate(e *event.Event) {
	rec := e.Location
	if rec.HasCoord && p.opts.TrustRecordLocation {
		p.stats.Located++
		return
	}
	var loc event.Location
	var ok bool
	if p.deps.Locator != nil && e.SourceIP.IsValid() && event.IsPublicIP(e.SourceIP) {
		loc, ok = p.deps.Locator.Locate(e.SourceIP.Unmap())
	}
	if rec.Country != "" && p.opts.TrustRecordLocation && (!ok || loc.Country != rec.Country) {
		loc, ok = event.Location{}, false
		if p.deps.Countries != nil {
			loc, ok = p.deps.Countries.CountryCentre(rec.Country)
		}
		if !ok {
			loc, ok = event.Location{Country: rec.Country, Source: "record"}, true
		}
	}
	if !ok {
		return
	}
	if loc.City == "" && loc.Country == rec.Country {
		loc.City = rec.City
	}
	e.Location = loc
	p.stats.Located++
}
