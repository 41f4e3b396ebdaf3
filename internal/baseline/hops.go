package baseline

import (
	"github.com/vedette/vedette/internal/event"
)

// principalHops is how many distinct hops a principal remembers: a home
// and a Cloud PC, an office and a phone, rarely more.
const principalHops = 4

// HopKey identifies a hop: an unordered pair of endpoints.
type HopKey uint64

// HopSeen is a hop a principal made: the low half of its key, how many
// times (saturating) and the last day.
type HopSeen struct {
	Key   uint32
	Count uint16
	Day   uint16
}

// Endpoint is where a located activity came from, for hops: its place
// (the map cell, or the country without coordinates) and, for
// infrastructure (Microsoft, cloud, hosting, mobile networks), its
// operator. Homes and offices are their place: a user's home and office in
// one city are one endpoint, their Cloud PC in an Azure region another.
type Endpoint uint64

// microsoftAS stands for all of Microsoft's AS numbers in endpoints.
const microsoftAS = 8075

// endpointOf returns the endpoint of a located use.
func endpointOf(loc event.Location, n event.Network) Endpoint {
	place := uint64(CountryOf(loc.Country))
	if loc.HasCoord {
		place = uint64(CellOf(loc.Lat, loc.Lon)) | 1<<31
	}
	var op uint64
	switch n.Class {
	case event.NetMicrosoft:
		op = microsoftAS
	case event.NetCloud, event.NetHosting, event.NetMobile:
		op = uint64(n.ASN)
	}
	return Endpoint(place<<32 | op)
}

// EndpointOf returns the endpoint of e.
func (t *Tenant) EndpointOf(e *event.Event) Endpoint { return endpointOf(e.Location, e.Network) }

// FixEndpoint returns the endpoint of a principal's fix.
func (t *Tenant) FixEndpoint(f *Fix) Endpoint {
	loc := event.Location{Country: f.Country.String(), Lat: float64(f.Lat), Lon: float64(f.Lon), HasCoord: f.HasCoord}
	return endpointOf(loc, f.Network())
}

// HopOf returns the key of the hop between two endpoints, in either
// direction.
func HopOf(a, b Endpoint) HopKey {
	if a > b {
		a, b = b, a
	}
	return HopKey(mix(mix(uint64(a)) ^ uint64(b)))
}

// mix is splitmix64's finalizer.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// Hops are a principal's recent hops. They live in a tenant map, not in
// the principal: most principals never change cells.
type Hops [principalHops]HopSeen

// Count returns how many times the principal made hop k, if it did on or
// after day since (0 otherwise).
func (hs *Hops) Count(k HopKey, since uint32) int {
	for _, h := range hs {
		if h.Count != 0 && h.Key == uint32(k) && uint32(h.Day) >= since {
			return int(h.Count)
		}
	}
	return 0
}

// touchHop counts hop k on day. When full it replaces the hop made least
// often (the least recent among those): a habitual hop outlives the odd
// ones around it.
func (hs *Hops) touch(k HopKey, day uint16) {
	victim := 0
	for i, h := range hs {
		if h.Count != 0 && h.Key == uint32(k) {
			hs[i].Count = min(h.Count+1, 1<<16-1)
			hs[i].Day = max(h.Day, day)
			return
		}
		v := hs[victim]
		if h.Count < v.Count || h.Count == v.Count && h.Day < v.Day {
			victim = i
		}
	}
	hs[victim] = HopSeen{Key: uint32(k), Count: 1, Day: day}
}

// UserHopCount returns how many times principal i made hop k on or after
// day since.
func (t *Tenant) UserHopCount(i uint32, k HopKey, since uint32) int {
	hs, ok := t.UserHops[i]
	if !ok {
		return 0
	}
	return hs.Count(k, since)
}

// HopUsage returns which principals made hop k.
func (t *Tenant) HopUsage(k HopKey) Usage { return sharedUsage(t.SoloHops, t.Hops, k) }

// hopAccuracyKm: places less accurate than this (a country's centre) make
// no hops; they would only add noise between a place and its country.
const hopAccuracyKm = 100

// learnHop records principal i moving from its fix to e's endpoint: only
// between accurately located places in different cells, the only hops
// impossible travel can ever ask about.
func (t *Tenant) learnHop(i uint32, p *Principal, e *event.Event, day uint32) {
	f := &p.Fix
	if !p.HasFix() || !f.HasCoord || !e.Location.HasCoord || f.RadiusKm > hopAccuracyKm || e.Location.RadiusKm > hopAccuracyKm ||
		CellOf(float64(f.Lat), float64(f.Lon)) == CellOf(e.Location.Lat, e.Location.Lon) {
		return
	}
	from, to := t.FixEndpoint(&p.Fix), t.EndpointOf(e)
	if from == to {
		return
	}
	k := HopOf(from, to)
	hs := t.UserHops[i]
	hs.touch(k, uint16(day))
	t.UserHops[i] = hs
	touchShared(t.SoloHops, t.Hops, k, i, uint16(day))
}
