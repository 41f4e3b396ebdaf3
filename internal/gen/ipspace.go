package gen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"

	"github.com/phuslu/iploc"
)

// netKind is the kind of network an address is drawn from.
type netKind uint8

const (
	residential netKind = iota // home broadband
	mobile                     // carrier (CGNAT: shared by many subscribers)
	hosting                    // data centres, cloud, VPS
)

// ipHints are real allocations of ISPs, carriers and hosters per country.
// Addresses are drawn at random inside them and kept only when iploc agrees
// on the country, so every emitted IP geolocates where the record claims.
var ipHints = map[string][3][]string{
	"US": {
		{"73.0.0.0/8", "98.192.0.0/10", "71.160.0.0/11", "99.0.0.0/8", "24.0.0.0/12", "108.0.0.0/12"},
		{"172.32.0.0/11", "174.192.0.0/10", "166.128.0.0/9"},
		{"3.0.0.0/8", "52.0.0.0/10", "159.203.0.0/16", "45.33.0.0/17", "144.172.64.0/18"},
	},
	"GB": {{"86.128.0.0/10", "81.128.0.0/12", "62.30.0.0/15", "92.0.0.0/13"}, {"31.94.0.0/16", "90.192.0.0/11"}, {"46.101.0.0/16", "167.99.0.0/16"}},
	"DE": {{"79.192.0.0/10", "84.128.0.0/10", "91.0.0.0/10", "88.64.0.0/12", "77.0.0.0/12"}, nil, {"88.198.0.0/16", "5.9.0.0/16", "136.243.0.0/16", "46.101.0.0/16"}},
	"FR": {{"90.0.0.0/9", "2.0.0.0/12", "109.0.0.0/12"}, nil, {"137.74.0.0/16", "164.132.0.0/16", "51.15.0.0/16"}},
	"IN": {{"122.160.0.0/12", "117.192.0.0/10", "157.32.0.0/12"}, {"49.32.0.0/11", "106.192.0.0/11"}, {"139.59.0.0/16"}},
	"NL": {{"77.160.0.0/12", "84.24.0.0/13"}, nil, {"5.2.64.0/20", "51.15.0.0/16", "185.107.56.0/22"}},
	"CA": {{"99.224.0.0/11", "70.24.0.0/13", "142.112.0.0/12", "24.64.0.0/13"}, nil, {"159.203.0.0/16"}},
	"IE": {{"86.40.0.0/13", "109.76.0.0/14"}, nil, nil},
	"JP": {{"126.0.0.0/8", "153.128.0.0/9"}, {"106.128.0.0/10"}, nil},
	"SG": {{"116.14.0.0/15", "42.60.0.0/14"}, nil, {"139.59.0.0/16"}},
	"ES": {{"83.32.0.0/11", "88.0.0.0/11", "79.144.0.0/12"}, nil, nil},
	"MX": {{"187.128.0.0/10", "189.128.0.0/10", "201.96.0.0/11"}, nil, nil},
	"CH": {{"85.0.0.0/13"}, nil, {"185.159.156.0/22", "179.43.128.0/18"}},
	"CN": {{"1.80.0.0/12", "36.96.0.0/11", "114.80.0.0/12"}, nil, nil},
	"RU": {{"95.24.0.0/13", "5.136.0.0/13", "178.64.0.0/13"}, nil, nil},
	"BR": {{"177.0.0.0/11", "189.0.0.0/11", "200.160.0.0/12"}, nil, nil},
	"KP": {{"175.45.176.0/22"}, nil, nil},
	"IR": {{"2.176.0.0/12", "5.112.0.0/12", "5.160.0.0/14"}, nil, nil},
	"NG": {{"105.112.0.0/12", "197.210.0.0/16", "102.88.0.0/14"}, nil, nil},
	"VN": {{"14.160.0.0/11", "113.160.0.0/11", "171.224.0.0/11"}, nil, nil},
	"RO": {{"86.120.0.0/13", "5.12.0.0/14"}, nil, nil},
	"BY": {{"178.120.0.0/13", "93.84.0.0/15"}, nil, nil},
	"KZ": {{"2.132.0.0/14", "37.150.0.0/15", "95.56.0.0/14"}, nil, nil},
	"PK": {{"39.32.0.0/11", "119.152.0.0/13"}, nil, nil},
	"ID": {{"36.64.0.0/11", "180.240.0.0/13"}, nil, nil},
	"EG": {{"41.32.0.0/12", "156.192.0.0/11", "197.32.0.0/11"}, nil, nil},
	"UA": {{"46.200.0.0/15", "176.36.0.0/14"}, nil, nil},
	"CO": {{"181.48.0.0/12", "190.24.0.0/13"}, nil, nil},
	"AR": {{"181.0.0.0/12", "186.136.0.0/13"}, nil, nil},
	"PE": {{"190.232.0.0/13", "179.6.0.0/15"}, nil, nil},
	"VE": {{"186.88.0.0/13", "190.72.0.0/13"}, nil, nil},
	"KE": {{"41.89.0.0/16", "105.160.0.0/12"}, nil, nil},
	"GH": {{"41.66.192.0/18", "154.160.0.0/14", "197.251.128.0/17"}, nil, nil},
	"MA": {{"105.128.0.0/12", "196.64.0.0/13"}, nil, nil},
	"BD": {{"103.4.144.0/22", "37.111.192.0/18", "27.147.128.0/17"}, nil, nil},
	"UZ": {{"84.54.64.0/19", "213.230.64.0/18", "195.158.0.0/19"}, nil, nil},
	"TH": {{"1.0.128.0/17", "49.228.0.0/14"}, nil, nil},
	"PH": {{"112.198.0.0/15", "49.144.0.0/13", "180.190.0.0/15"}, nil, nil},
	"TR": {{"78.160.0.0/11", "88.224.0.0/11"}, nil, nil},
	"ZA": {{"41.0.0.0/11", "105.224.0.0/11"}, nil, nil},
	"MY": {{"175.136.0.0/13", "60.48.0.0/13"}, nil, nil},
	"BG": {{"78.83.0.0/16", "85.187.0.0/16", "212.5.128.0/19"}, nil, nil},
	"RS": {{"178.148.0.0/15"}, nil, nil},
	"GE": {{"31.146.0.0/16", "188.129.128.0/17"}, nil, nil},
	"LK": {{"112.134.0.0/15", "175.157.0.0/16"}, nil, nil},
	"DZ": {{"41.96.0.0/12", "105.96.0.0/12"}, nil, nil},
}

// ErrNoAddress is returned when no address of the wanted country could be
// found in the hints.
var ErrNoAddress = errors.New("no address found")

// allocator hands out distinct public addresses by country and kind.
type allocator struct {
	rng      *rand.Rand
	used     map[netip.Addr]bool
	reserved []netip.Prefix
}

func newAllocator(rng *rand.Rand) *allocator {
	return &allocator{rng: rng, used: map[netip.Addr]bool{}}
}

// hintsFor returns the prefixes to draw kind from, falling back to another
// kind of the same country when the table has none.
func hintsFor(country string, kind netKind) []string {
	h := ipHints[country]
	for _, k := range []netKind{kind, residential, hosting, mobile} {
		if len(h[k]) > 0 {
			return h[k]
		}
	}
	return nil
}

// addr returns a fresh address of country drawn from kind's hints.
func (a *allocator) addr(country string, kind netKind) (netip.Addr, error) {
	return a.addrIn(country, hintsFor(country, kind))
}

// addrIn returns a fresh address inside one of prefixes that iploc places
// in country.
func (a *allocator) addrIn(country string, prefixes []string) (netip.Addr, error) {
	if len(prefixes) == 0 {
		return netip.Addr{}, fmt.Errorf("gen: %s: no ranges known: %w", country, ErrNoAddress)
	}
	for range 20000 {
		p := netip.MustParsePrefix(prefixes[a.rng.IntN(len(prefixes))])
		ip := randomIn(a.rng, p)
		if a.usable(ip) && iploc.IPCountry(ip) == country {
			a.used[ip] = true
			return ip, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("gen: %s in %v: %w", country, prefixes, ErrNoAddress)
}

func (a *allocator) usable(ip netip.Addr) bool {
	b := ip.As4()
	if b[3] == 0 || b[3] == 255 || a.used[ip] || !ip.IsGlobalUnicast() || ip.IsPrivate() {
		return false
	}
	for _, p := range a.reserved {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// block reserves a whole /bits network of country inside prefixes, checking
// every address with iploc, so that a list can name it as a CIDR.
func (a *allocator) block(country string, prefixes []string, bits int) (netip.Prefix, error) {
	for range 5000 {
		p := netip.MustParsePrefix(prefixes[a.rng.IntN(len(prefixes))])
		if p.Bits() > bits {
			continue
		}
		b, _ := randomIn(a.rng, p).Prefix(bits)
		if a.blockFree(b, country) {
			a.reserved = append(a.reserved, b)
			return b, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("gen: /%d block in %s: %w", bits, country, ErrNoAddress)
}

func (a *allocator) blockFree(b netip.Prefix, country string) bool {
	for _, r := range a.reserved {
		if r.Overlaps(b) {
			return false
		}
	}
	for ip := b.Addr(); b.Contains(ip); ip = ip.Next() {
		if a.used[ip] || !ip.IsGlobalUnicast() || iploc.IPCountry(ip) != country {
			return false
		}
	}
	return true
}

// randomIn returns a uniformly random IPv4 address inside p.
func randomIn(rng *rand.Rand, p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	base := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := base + uint32(rng.Uint64N(uint64(1)<<(32-p.Bits())))
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// nthIn returns the i-th address of p.
func nthIn(p netip.Prefix, i int) netip.Addr {
	b := p.Masked().Addr().As4()
	n := (uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])) + uint32(i)
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}
