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
	// covers is deps.Intel when it is a Coverer and versioned.
	covers Coverer
	// addrs caches the answers by address: a session's operations and a
	// client's refreshes come in runs from one address, and a user's
	// sign-ins from a few.
	addrs addrTable
}

// Coverer is an Intel that tells whether any of its indicators covers an
// address, whatever the time: the threat intelligence of a version is
// asked once per address, and Match only for the addresses it covers.
type Coverer interface {
	Covers(ip netip.Addr) bool
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
	// Coverage is remembered per version of the threat intelligence:
	// without versions of every tag source, the pipeline passes none, and
	// must ask Match every time.
	if l.versioned && l.intel != nil {
		l.covers, _ = deps.Intel.(Coverer)
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

// addr returns the cache slot of a valid ip, unmapped, nil for an address
// with a zone (not cached). The slot is valid until the next addr.
func (l *lookups) addr(ip netip.Addr) *addrInfo {
	if ip.Zone() != "" {
		return nil
	}
	return l.addrs.find(ip)
}

// addrRef is an address's cache slot, looked up when first needed: the
// lookups of one event share it (Enricher), the pipeline's own lookups
// each make one.
type addrRef struct {
	ip  netip.Addr // valid, unmapped
	a   *addrInfo
	set bool
}

func refTo(ip netip.Addr) *addrRef { return &addrRef{ip: ip.Unmap()} }

// slot is l.addr(r.ip), asked once.
func (l *lookups) slot(r *addrRef) *addrInfo {
	if !r.set {
		r.a, r.set = l.addr(r.ip), true
	}
	return r.a
}

// versionedTags is tags under the lists of the given version (in force),
// cached by address when the lists are Versioned.
func (l *lookups) versionedTags(ip netip.Addr, version uint64) []detect.IPTag {
	if p := l.listedTags(ip, version); p != nil {
		return *p
	}
	return nil
}

// listedTags is versionedTags shared: the slice of the cache, nil for
// none.
func (l *lookups) listedTags(ip netip.Addr, version uint64) *[]detect.IPTag {
	if !l.versioned || l.deps.Lists == nil || !ip.IsValid() {
		return pointTo(l.tags(ip))
	}
	return l.listedTagsAt(refTo(ip), version)
}

// listedTagsAt is listedTags of a valid address, versioned lists.
func (l *lookups) listedTagsAt(r *addrRef, version uint64) *[]detect.IPTag {
	ip, a := r.ip, l.slot(r)
	if a == nil {
		return pointTo(l.deps.Lists.Tags(ip))
	}
	if a.flags&addrTags == 0 || a.lists != version {
		a.tags, a.lists = pointTo(l.deps.Lists.Tags(ip)), version
		a.flags |= addrTags
	}
	return a.tags
}

// pointTo returns a pointer to tags, nil for nil.
func pointTo(tags []detect.IPTag) *[]detect.IPTag {
	if tags == nil {
		return nil
	}
	return &tags
}

// sourceTags returns the tags of e's source IP under the lists of version
// lists and the threat intelligence of version intel (in force): its
// lists, then its threat-intelligence match at the event's time (intel
// reports one). The tags are shared: a caller must not change them.
func (l *lookups) sourceTags(e *event.Event, lists, intel uint64) (tags *[]detect.IPTag, matched bool) {
	var r *addrRef
	if e.SourceIP.IsValid() {
		r = refTo(e.SourceIP)
	}
	return l.sourceTagsAt(e, r, lists, intel)
}

// sourceTagsAt is sourceTags with e's source IP's slot, r (nil for an
// invalid address).
func (l *lookups) sourceTagsAt(e *event.Event, r *addrRef, lists, intel uint64) (tags *[]detect.IPTag, matched bool) {
	if r == nil || !l.versioned || l.deps.Lists == nil {
		tags = l.listedTags(e.SourceIP, lists)
	} else {
		tags = l.listedTagsAt(r, lists)
	}
	if l.deps.Intel == nil || r == nil || !l.coveredAt(r, intel) {
		return tags, false
	}
	if tag, ok := l.deps.Intel.Match(e.SourceIP.Unmap(), e.Time); ok {
		var own []detect.IPTag
		if tags != nil {
			own = *tags
		}
		own = append(own[:len(own):len(own)], tag)
		return &own, true
	}
	return tags, false
}

// coveredAt reports whether an indicator of the threat intelligence of
// version intel (in force) may cover r's address: without a Coverer, any
// may.
func (l *lookups) coveredAt(r *addrRef, intel uint64) bool {
	if l.covers == nil {
		return true
	}
	ip, a := r.ip, l.slot(r)
	if a == nil {
		return l.covers.Covers(ip)
	}
	if a.flags&addrUnlisted != 0 && a.intel == intel {
		return false
	}
	if l.covers.Covers(ip) {
		a.flags &^= addrUnlisted
		return true
	}
	a.intel = intel
	a.flags |= addrUnlisted
	return false
}

// network fills e.Network from the source IP's AS.
func (l *lookups) network(e *event.Event) {
	if e.SourceIP.IsValid() {
		l.networkAt(e, refTo(e.SourceIP))
	}
}

// networkAt is network with e's source IP's slot.
func (l *lookups) networkAt(e *event.Event, r *addrRef) {
	if l.deps.Networks == nil || e.Network.Known() || !event.IsPublicIP(e.SourceIP) {
		return
	}
	ip, a := r.ip, l.slot(r)
	if a == nil {
		if n, ok := l.deps.Networks.Network(ip); ok {
			e.Network = n
		}
		return
	}
	if a.flags&addrNet == 0 {
		if n, ok := l.deps.Networks.Network(ip); ok {
			a.net = l.addrs.network(n)
		}
		a.flags |= addrNet
	}
	if a.net != nil {
		e.Network = *a.net
	}
}

// lookup locates r's public address, cached by address.
func (l *lookups) lookup(r *addrRef) (event.Location, bool) {
	ip, a := r.ip, l.slot(r)
	if a == nil {
		return l.deps.Locator.Locate(ip)
	}
	if a.flags&addrLoc == 0 {
		if loc, ok := l.deps.Locator.Locate(ip); ok {
			a.loc = l.addrs.location(loc)
		}
		a.flags |= addrLoc
	}
	if a.loc == nil {
		return event.Location{}, false
	}
	return *a.loc, true
}

// locate fills e.Location and reports whether it is located. A record's
// own coordinates win when trusted; a record that names only a country
// keeps that country, placed by IP lookup when the lookup agrees and at
// the country's centre otherwise.
func (l *lookups) locate(e *event.Event) bool {
	var r *addrRef
	if e.SourceIP.IsValid() {
		r = refTo(e.SourceIP)
	}
	return l.locateAt(e, r)
}

// locateAt is locate with e's source IP's slot, r (nil for an invalid
// address).
func (l *lookups) locateAt(e *event.Event, r *addrRef) bool {
	rec := e.Location
	if rec.HasCoord && l.opts.TrustRecordLocation {
		return true
	}
	var loc event.Location
	var ok bool
	if l.deps.Locator != nil && r != nil && event.IsPublicIP(e.SourceIP) {
		loc, ok = l.lookup(r)
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
	sink uint8 // keeps EnrichAll's loads
}

// NewEnricher returns an Enricher doing what a pipeline made with opts and
// deps does.
func NewEnricher(opts Options, deps Deps) *Enricher {
	return &Enricher{lookups: newLookups(opts, deps)}
}

// EnrichAll enriches events ahead of Process. It first touches the cache
// slot of every event's source IP, loads that do not wait for each other,
// so that enriching finds the slots in the processor's cache rather than
// waiting for each in turn: the slots of a month's addresses are touched
// every few thousand events, and the records read in between push them
// out of the cache. The versions of the tag sources are read once, before
// any event's tags: the tags are then those of these versions or later
// ones, as Enrich's.
func (x *Enricher) EnrichAll(events []*event.Event) {
	var sum uint8
	for _, e := range events {
		if ip := e.SourceIP; ip.IsValid() && ip.Zone() == "" {
			sum += x.addrs.peek(ip.Unmap())
		}
	}
	x.sink = sum
	lists, intel, ok := x.versions()
	for _, e := range events {
		x.enrich(e, lists, intel, ok)
	}
}

// Enrich enriches e ahead of Process.
func (x *Enricher) Enrich(e *event.Event) {
	// The versions are read before the tags: the tags are then those of
	// these versions or later ones, and Process, seeing a later version in
	// force, computes them again.
	lists, intel, ok := x.versions()
	x.enrich(e, lists, intel, ok)
}

// enrich is Enrich under the versions read before it (tagged: every tag
// source has versions). Its lookups share one look at the address's slot.
func (x *Enricher) enrich(e *event.Event, lists, intel uint64, tagged bool) {
	var ref addrRef
	r := &ref
	if e.SourceIP.IsValid() {
		ref.ip = e.SourceIP.Unmap()
	} else {
		r = nil
	}
	en := &e.Enrichment
	en.Located = x.locateAt(e, r)
	if r != nil {
		x.networkAt(e, r)
	}
	en.Done = true
	if tagged {
		if en.Tags, en.IntelTag = x.sourceTagsAt(e, r, lists, intel); en.Tags != nil && len(*en.Tags) == 0 {
			en.Tags = nil
		}
		en.Lists, en.Intel, en.Tagged = lists, intel, true
	}
}
