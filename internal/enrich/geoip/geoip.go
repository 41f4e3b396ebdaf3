// Package geoip turns IP addresses into event.Locations: where on earth an
// address is, and how sure we are of it. It owns the Locator interface, an
// embedded country-level locator that works with no download (Builtin), a
// reader for MaxMind-format City databases (MMDB) and Chain, which asks
// several locators in turn. Lookups do no network I/O.
package geoip

import (
	"net/netip"

	"github.com/vedette/vedette/internal/event"
)

// Locator finds where an IP address is. Implementations are safe for
// concurrent use.
type Locator interface {
	// Locate returns the location of ip, or false when the locator knows
	// nothing about it (including non-public addresses).
	Locate(ip netip.Addr) (event.Location, bool)
	// Build names the database build or version, recorded in alerts so an
	// address that "moves" after a database update is explainable.
	Build() string
}

// Chain asks each Locator in order and returns the first hit. A typical
// chain is a City database (or one per address family, as DB-IP Lite ships
// them) followed by NewBuiltin() for what the database lacks.
type Chain []Locator

var _ Locator = Chain(nil)

// Locate returns the first hit of the chain's locators.
func (c Chain) Locate(ip netip.Addr) (event.Location, bool) {
	for _, l := range c {
		if loc, ok := l.Locate(ip); ok {
			return loc, true
		}
	}
	return event.Location{}, false
}

// Build joins the builds of the chain's locators with " + ".
func (c Chain) Build() string {
	s := ""
	for i, l := range c {
		if i > 0 {
			s += " + "
		}
		s += l.Build()
	}
	return s
}
