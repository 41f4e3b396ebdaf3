package pipeline

import (
	"net/netip"

	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/event"
)

// Versioned is a Lists or an Intel whose answers change while the
// pipeline runs (a reload): Version names the answers in force, changes
// whenever they do, and an answer given after Version returned n is that
// of version n or a later one. Tags computed ahead (Enricher) and cached
// are used only while the version they were computed against is in force;
// without Version, the pipeline asks for every event.
type Versioned interface {
	Version() uint64
}

// lookups enrich an event from the event and the lookup tables alone:
// where its source IP is, who operates it, which lists it is on. The
// pipeline does it for itself, an Enricher ahead of it.
type lookups struct {
	opts Options
	deps Deps
	// lists and intel are deps.Lists and deps.Intel when Versioned;
	// versioned: every tag source present is.
	lists, intel Versioned
	versioned    bool
	// nets and locs cache AS and location lookups by address: a
	// session's operations and a client's refreshes come in runs from one
	// address, and a user's sign-ins from a few.
	nets *addrCache[event.Network]
	locs *addrCache[event.Location]
	// listed caches the IP lists' tags by address, with the version of
	// the lists they are of.
	listed *addrCache[listedTags]
}

func newLookups(opts Options, deps Deps) lookups {
	l := lookups{opts: opts, deps: deps, versioned: true}
	if deps.Lists != nil {
		l.lists, _ = deps.Lists.(Versioned)
		l.versioned = l.lists != nil
	}
	if deps.Intel != nil {
		l.intel, _ = deps.Intel.(Versioned)
		l.versioned = l.versioned && l.intel != nil
	}
	return l
}

// versions returns the versions of the IP lists and the threat
// intelligence in force (0 for one not configured); ok is false when a
// tag source has no versions.
func (l *lookups) versions() (lists, intel uint64, ok bool) {
	if !l.versioned {
		return 0, 0, false
	}
	if l.lists != nil {
		lists = l.lists.Version()
	}
	if l.intel != nil {
		intel = l.intel.Version()
	}
	return lists, intel, true
}

// tags returns the IP lists ip is on.
func (l *lookups) tags(ip netip.Addr) []detect.IPTag {
	if l.deps.Lists == nil || !ip.IsValid() {
		return nil
	}
	return l.deps.Lists.Tags(ip.Unmap())
}

// versionedTags is tags under the lists of the given version (in force),
// cached by address when the lists are Versioned.
func (l *lookups) versionedTags(ip netip.Addr, version uint64) []detect.IPTag {
	if !l.versioned || l.deps.Lists == nil || !ip.IsValid() {
		return l.tags(ip)
	}
	if l.listed == nil {
		l.listed = new(addrCache[listedTags])
	}
	ip = ip.Unmap()
	c := l.listed.slot(ip)
	if !c.set || c.ip != ip || c.v.version != version {
		c.v = listedTags{version: version, tags: l.deps.Lists.Tags(ip)}
		c.ip, c.set = ip, true
	}
	return c.v.tags
}

// listedTags are an address's tags under a version of the lists.
type listedTags struct {
	version uint64
	tags    []detect.IPTag
}

// sourceTags returns the tags of e's source IP under the lists of version
// lists (in force): its lists, then its threat-intelligence match at the
// event's time (intel reports one).
func (l *lookups) sourceTags(e *event.Event, lists uint64) (tags []detect.IPTag, intel bool) {
	tags = l.versionedTags(e.SourceIP, lists)
	if l.deps.Intel != nil && e.SourceIP.IsValid() {
		if tag, ok := l.deps.Intel.Match(e.SourceIP.Unmap(), e.Time); ok {
			return append(tags[:len(tags):len(tags)], tag), true
		}
	}
	return tags, false
}

// network fills e.Network from the source IP's AS.
func (l *lookups) network(e *event.Event) {
	if l.deps.Networks == nil || e.Network.Known() || !e.SourceIP.IsValid() || !event.IsPublicIP(e.SourceIP) {
		return
	}
	if l.nets == nil {
		l.nets = new(addrCache[event.Network])
	}
	ip := e.SourceIP.Unmap()
	c := l.nets.slot(ip)
	if !c.set || c.ip != ip {
		c.v, c.ok = l.deps.Networks.Network(ip)
		c.ip, c.set = ip, true
	}
	if c.ok {
		e.Network = c.v
	}
}

// lookup locates a public ip, cached by address.
func (l *lookups) lookup(ip netip.Addr) (event.Location, bool) {
	if l.locs == nil {
		l.locs = new(addrCache[event.Location])
	}
	ip = ip.Unmap()
	c := l.locs.slot(ip)
	if !c.set || c.ip != ip {
		c.v, c.ok = l.deps.Locator.Locate(ip)
		c.ip, c.set = ip, true
	}
	return c.v, c.ok
}

// locate fills e.Location and reports whether it is located. A record's
// own coordinates win when trusted; a record that names only a country
// keeps that country, placed by IP lookup when the lookup agrees and at
// the country's centre otherwise.
func (l *lookups) locate(e *event.Event) bool {
	rec := e.Location
	if rec.HasCoord && l.opts.TrustRecordLocation {
		return true
	}
	var loc event.Location
	var ok bool
	if l.deps.Locator != nil && e.SourceIP.IsValid() && event.IsPublicIP(e.SourceIP) {
		loc, ok = l.lookup(e.SourceIP)
	}
	if rec.Country != "" && l.opts.TrustRecordLocation && (!ok || loc.Country != rec.Country) {
		loc, ok = event.Location{}, false
		if l.deps.Countries != nil {
			loc, ok = l.deps.Countries.CountryCentre(rec.Country)
		}
		if !ok {
			loc, ok = event.Location{Country: rec.Country, Source: "record"}, true
		}
	}
	if !ok {
		return false
	}
	if loc.City == "" && loc.Country == rec.Country {
		loc.City = rec.City
	}
	e.Location = loc
	return true
}

// Enricher computes ahead of the pipeline, on a goroutine of its own, the
// enrichment that depends only on the event and the lookup tables (its
// location and network, its source IP's tags) into event.Enrichment:
// `detect` runs one in each of its parallel decode workers, so that the
// pipeline's single goroutine finds them done. Tags are computed only
// when every tag source is Versioned, and used only while those versions
// are in force. Not safe for concurrent use: one per goroutine. The
// Locator, CountryLocator, Networks, Lists and Intel of its Deps must be
// safe for concurrent use.
type Enricher struct {
	lookups
}

// NewEnricher returns an Enricher doing what a pipeline made with opts and
// deps does.
func NewEnricher(opts Options, deps Deps) *Enricher {
	return &Enricher{newLookups(opts, deps)}
}

// Enrich enriches e ahead of Process.
func (x *Enricher) Enrich(e *event.Event) {
	en := &e.Enrichment
	en.Located = x.locate(e)
	x.network(e)
	en.Done = true
	// The versions are read before the tags: the tags are then those of
	// these versions or later ones, and Process, seeing a later version in
	// force, computes them again.
	if lists, intel, ok := x.versions(); ok {
		var tags []detect.IPTag
		if tags, en.IntelTag = x.sourceTags(e, lists); len(tags) > 0 {
			en.Tags = &tags
		}
		en.Lists, en.Intel, en.Tagged = lists, intel, true
	}
}
