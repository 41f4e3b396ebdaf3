// Package asn maps IP addresses to their autonomous system (AS number and
// organisation) from a table embedded in the binary, so Vedette knows who
// operates an address with no download, as it knows its country. It also
// classifies the operator: Microsoft's own networks, cloud providers,
// hosting providers and mobile carriers, the infrastructure behind most
// false "travel".
//
// The embedded table (data/asn.bin.zst) is generated from the public
// ip-location-db ASN data (RouteViews, the five RIRs and DB-IP's IP to ASN
// Lite, CC BY 4.0, see data/NOTICE) by asngen:
//
//	npm pack @ip-location-db/asn && tar xzf ip-location-db-asn-*.tgz
//	go run ./internal/enrich/asn/asngen -src package -out internal/enrich/asn/data/asn.bin.zst
package asn

import (
	_ "embed"
	"encoding/binary"
	"net/netip"
	"slices"
	"sync"
)

// Info is what is known about an address's network.
type Info struct {
	ASN   uint32 `json:"asn"`
	Org   string `json:"org,omitempty"`
	Class Class  `json:"class,omitempty"`
}

// Known reports whether the address was found in an AS.
func (i Info) Known() bool { return i.ASN != 0 }

//go:embed data/asn.bin.zst
var embedded []byte

// Build names the embedded data: its source and date.
//
//go:embed data/BUILD
var Build string

var (
	builtinOnce sync.Once
	builtin     *Table
	builtinErr  error
)

// Builtin returns the embedded table, decoded on first use (≈30 ms, ≈10 MB).
func Builtin() (*Table, error) {
	builtinOnce.Do(func() { builtin, builtinErr = Decode(embedded) })
	return builtin, builtinErr
}

// Lookup returns the AS of ip, or false for addresses in no announced
// range.
func (t *Table) Lookup(ip netip.Addr) (Info, bool) {
	if t == nil || !ip.IsValid() {
		return Info{}, false
	}
	ip = ip.Unmap()
	var ref uint32
	if ip.Is4() {
		b := ip.As4()
		v := binary.BigEndian.Uint32(b[:])
		lo, hi := t.v4Index[v>>16], t.v4Index[v>>16+1]
		i, found := slices.BinarySearch(t.v4Start[lo:hi], v)
		i += int(lo)
		if !found {
			i--
		}
		if i < 0 {
			return Info{}, false
		}
		ref = t.v4ASN[i]
	} else {
		i, found := slices.BinarySearchFunc(t.v6Start, halves(ip), cmpHalves)
		if !found {
			i--
		}
		if i < 0 {
			return Info{}, false
		}
		ref = t.v6ASN[i]
	}
	if ref == 0 {
		return Info{}, false
	}
	return Info{ASN: t.asns[ref-1], Org: t.org(int(ref - 1)), Class: t.class(int(ref - 1))}, true
}

// Org returns the organisation name of AS a, "" if unknown.
func (t *Table) Org(a uint32) string {
	if i, ok := slices.BinarySearch(t.asns, a); ok {
		return t.org(i)
	}
	return ""
}

// Len is the number of ranges (gaps included) in the table.
func (t *Table) Len() int { return len(t.v4Start) + len(t.v6Start) }

func cmpHalves(a, b [2]uint64) int {
	switch {
	case a[0] != b[0]:
		if a[0] < b[0] {
			return -1
		}
		return 1
	case a[1] < b[1]:
		return -1
	case a[1] > b[1]:
		return 1
	}
	return 0
}
