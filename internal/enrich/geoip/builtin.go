package geoip

import (
	"net/netip"
	"runtime/debug"

	"github.com/phuslu/iploc"

	"github.com/vedette/vedette/internal/event"
)

const iplocModule = "github.com/phuslu/iploc"

// Builtin locates addresses to country level with the IP2Location LITE
// country table embedded in github.com/phuslu/iploc, so Vedette works with
// no database download. Each country is placed at the centre of its
// populated area, with a radius covering most of it (see centres.go): a
// coarse answer, but an honest one, which the impossible-travel detector
// can subtract from its distances.
type Builtin struct {
	build string
}

var _ Locator = (*Builtin)(nil)

// NewBuiltin returns the embedded country-level locator.
func NewBuiltin() *Builtin {
	return &Builtin{build: "iploc " + iplocVersion()}
}

// iplocVersion is the iploc module version this binary was built with. The
// module's own Version constant (its database date) stands in when build
// information is missing, as in binaries built without module support.
func iplocVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path != iplocModule {
				continue
			}
			if d.Replace != nil && d.Replace.Version != "" {
				return d.Replace.Version
			}
			if d.Version != "" && d.Version != "(devel)" {
				return d.Version
			}
		}
	}
	return iploc.Version
}

// Build returns "iploc " and the module version, which dates its data.
func (b *Builtin) Build() string { return b.build }

// Locate returns the country of a public ip, placed at the country's
// centre with the country's radius. Addresses iploc cannot place (its "ZZ")
// and non-public addresses are not found.
func (b *Builtin) Locate(ip netip.Addr) (event.Location, bool) {
	ip = ip.Unmap()
	if !event.IsPublicIP(ip) {
		return event.Location{}, false
	}
	cc := iploc.IPCountry(ip)
	if len(cc) != 2 || cc == "ZZ" {
		return event.Location{}, false
	}
	loc, _ := b.CountryCentre(cc)
	return loc, true
}

// CountryCentre places a country at its centre with its radius, for a
// record that names a country but no coordinates. ok is false for a code
// the table does not know; the location then carries the country alone.
func (b *Builtin) CountryCentre(country string) (event.Location, bool) {
	loc := event.Location{Country: country, Source: "builtin", Build: b.build}
	c, ok := centres[country]
	if ok {
		loc.Lat, loc.Lon, loc.RadiusKm, loc.HasCoord = c.lat, c.lon, c.radiusKm, true
	}
	return loc, ok
}

// CountryCentre returns the centre and radius (km) Builtin uses for an ISO
// 3166-1 alpha-2 country code, for callers that know a country but no
// coordinates.
func CountryCentre(country string) (lat, lon, radiusKm float64, ok bool) {
	c, ok := centres[country]
	return c.lat, c.lon, c.radiusKm, ok
}
