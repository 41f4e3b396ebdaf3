// Package baseline keeps what Vedette has learned about each tenant and each
// principal: where they sign in from, which IPs and countries they use, and
// when they were first and last seen. All time comes from events (event
// time), never from the clock, so replaying the same logs in one batch, in
// pieces or live builds the same state.
//
// The layout is designed for memory first: a principal is a fixed-size value
// in one slice (no per-principal pointers besides its name and the key of its
// last located event), and shared strings (cities, apps, user agents, source
// names) are interned per tenant. BenchmarkPrincipalState measures the bytes
// per principal.
package baseline

import (
	"net/netip"

	"github.com/vedette/vedette/internal/event"
)

// Slots per principal. Small fixed arrays keep a principal under 1 KiB and
// are enough for what detections ask: "has this user used this country or IP
// in the window" (most users use one to three countries and a handful of IPs;
// when a list is full the least recently used entry is replaced).
const (
	principalCountries = 8
	principalIPs       = 8
	principalApps      = 4
)

// CountrySeen is a country and the last day (days since the Unix epoch, event
// time) a principal was seen there.
type CountrySeen struct {
	Code    Country
	LastDay uint16 // 16 bits like Usage's days: 4 bytes a slot, not 8
}

// IPSeen is an IP and the last day a principal used it.
type IPSeen struct {
	Addr    [16]byte
	LastDay uint16
}

// Fix is the last successful, located activity of a principal: what the next
// activity's travel is measured from, and the evidence shown for the
// "previous" side of an impossible-travel alert.
type Fix struct {
	Time      int64 // Unix seconds
	IP        netip.Addr
	Lat, Lon  float32
	RadiusKm  float32
	HasCoord  bool
	ASClass   uint8 // the AS's class (see NetClass), in what was padding
	Country   Country
	City      string // interned
	App       string // interned
	UserAgent string // interned
	Operation string // interned
	Source    string // interned
	Record    int32
	ASN       uint32 // the address's AS, 0 if unknown, in what was padding
	Key       string
	GeoSource string // interned
	GeoBuild  string // interned
}

// Network returns the fix's AS (without its name, which the fix does not
// keep: 32 bytes a principal).
func (f *Fix) Network() event.Network {
	return event.Network{ASN: f.ASN, Class: netClasses[f.ASClass]}
}

// netClasses are event.Network classes by their code in Fix.ASClass.
var netClasses = [...]string{"", event.NetMicrosoft, event.NetCloud, event.NetMobile, event.NetHosting}

// netClassCode returns class's code, 0 for none or unknown.
func netClassCode(class string) uint8 {
	for i, c := range netClasses {
		if c == class {
			return uint8(i)
		}
	}
	return 0
}

// Principal is what is known about one identity of a tenant.
type Principal struct {
	Name      string
	FirstSeen int64 // Unix seconds of the first activity of any kind
	LastSeen  int64 // Unix seconds of the latest activity of any kind

	// LastSuccess is the latest successful activity (Unix seconds); the
	// management detections use it to find long-inactive accounts.
	LastSuccess int64
	// LastPowerShell is the latest activity through Azure PowerShell.
	LastPowerShell int64

	Fix       Fix
	Countries [principalCountries]CountrySeen
	IPs       [principalIPs]IPSeen
	// Apps are the client apps of successful activity and their last
	// day; Hours counts activity by UTC hour of day, for the analyst's
	// "usual hours" (all halved when one saturates: a relative shape).
	Apps  [principalApps]AppSeen
	Hours [24]uint8
}

// AppSeen is a client app (1 + its index in the tenant's AppNames; 0 for
// an empty slot) and the last day a principal used it.
type AppSeen struct {
	App     uint16
	LastDay uint16
}

// HasFix reports whether the principal has a previous located activity.
func (p *Principal) HasFix() bool { return p.Fix.Time != 0 }

// UsedCountry reports whether the principal used country c on or after day
// since.
func (p *Principal) UsedCountry(c Country, since uint32) bool {
	for _, s := range p.Countries {
		if s.Code == c && s.LastDay != 0 && uint32(s.LastDay) >= since {
			return true
		}
	}
	return false
}

// UsedIP reports whether the principal used ip on or after day since.
func (p *Principal) UsedIP(ip netip.Addr, since uint32) bool {
	a := ip.As16()
	for _, s := range p.IPs {
		if s.LastDay != 0 && uint32(s.LastDay) >= since && s.Addr == a {
			return true
		}
	}
	return false
}

// IPLastDay returns the last day the principal used ip, 0 if never (within
// what the slots remember).
func (p *Principal) IPLastDay(ip netip.Addr) uint32 {
	a := ip.As16()
	for _, s := range p.IPs {
		if s.Addr == a {
			return uint32(s.LastDay)
		}
	}
	return 0
}

// touchCountry records c on day and returns the country whose slot it
// took, 0 if none.
func (p *Principal) touchCountry(c Country, day uint32) (evicted Country) {
	victim := 0
	for i, s := range p.Countries {
		if s.Code == c {
			p.Countries[i].LastDay = max(s.LastDay, uint16(day))
			return 0
		}
		if s.LastDay < p.Countries[victim].LastDay {
			victim = i
		}
	}
	evicted = p.Countries[victim].Code
	p.Countries[victim] = CountrySeen{Code: c, LastDay: uint16(day)}
	return evicted
}

// touchIP records ip on day and returns its slot; reused is true when the
// slot held another IP (or none) before.
func (p *Principal) touchIP(ip netip.Addr, day uint32) (slot int, reused bool) {
	a := ip.As16()
	victim := 0
	for i, s := range p.IPs {
		if s.Addr == a && s.LastDay != 0 {
			p.IPs[i].LastDay = max(s.LastDay, uint16(day))
			return i, false
		}
		if s.LastDay < p.IPs[victim].LastDay {
			victim = i
		}
	}
	p.IPs[victim] = IPSeen{Addr: a, LastDay: uint16(day)}
	return victim, true
}

// Country is an ISO 3166-1 alpha-2 code packed in two bytes.
type Country uint16

// CountryOf packs a two-letter code; anything else is 0 (unknown).
func CountryOf(code string) Country {
	if len(code) != 2 {
		return 0
	}
	a, b := upper(code[0]), upper(code[1])
	if a < 'A' || a > 'Z' || b < 'A' || b > 'Z' {
		return 0
	}
	return Country(uint16(a)<<8 | uint16(b))
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// String returns the two-letter code, or "" for 0.
func (c Country) String() string {
	if c == 0 {
		return ""
	}
	return string([]byte{byte(c >> 8), byte(c)})
}
