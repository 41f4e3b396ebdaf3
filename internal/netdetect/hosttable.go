package netdetect

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"net/netip"
)

// hostTable holds one open hour's monitored addresses and their
// aggregates. A key is the address's 16 bytes as two words and the index
// of its scope in the table's own scope list (subscription and IPv6 zone;
// almost always index 0: no subscription, no zone), so a lookup hashes
// and compares three words, where a map keyed by netip.Addr and the scope
// string hashes the zone pointer and the string's bytes.
//
// The slots are open addressing with linear probing, at most 3/4 full, of
// 4 bytes each: 8 bits of the key's hash and 1 + the aggregate's index (so
// at most maxTableHosts). The key itself is in the aggregate, which the
// flow updates anyway, so a lookup reads one slot (80k hosts' slots fit in
// 512 KB) and one aggregate, and another only for one probe in 256. The
// hash is a 64x64-bit multiply of the key with per-table random seeds, so
// flows with chosen addresses cannot aim at one run of slots. Aggregates,
// their channels and rare parts live in slabs; the table is dropped whole
// when its hour closes.
type hostTable struct {
	slots []uint32 // hash tag << 24 | 1 + index; 0: empty
	shift uint     // 64 - log2(len(slots))
	n     int
	seeds [2]uint64
	hours slab[hostHour]
	chans slab[channel]
	rares slab[hostRare]

	scopes []hostScope
	byName map[hostScope]uint32
	// sources are where flows came from (few: exporters, files), with
	// the last one looked up remembered.
	sources    []string
	bySource   map[string]uint32
	lastSource uint32
}

// hostScope is a scope and an IPv6 zone: the part of a host key that is
// not the address's 16 bytes.
type hostScope struct{ sub, zone string }

const minHostSlots = 8

// maxTableHosts is the most host-hours a table indexes (24 bits).
const maxTableHosts = 1<<24 - 1

func newHostTable() *hostTable {
	t := &hostTable{seeds: [2]uint64{rand.Uint64(), rand.Uint64()}, scopes: []hostScope{{}}, sources: []string{""}}
	t.resize(minHostSlots)
	return t
}

func (t *hostTable) hash(hi, lo uint64, scope uint32) uint64 {
	p1, p0 := bits.Mul64(hi^t.seeds[0], lo^t.seeds[1]^uint64(scope)<<40)
	return p1 ^ p0
}

func (t *hostTable) resize(n int) {
	t.slots, t.shift = make([]uint32, n), uint(64-bits.TrailingZeros(uint(n)))
	for i := range t.n {
		h := t.at(uint32(i))
		p, _ := t.find(h.hi, h.lo, h.scope)
		t.slots[p] = uint32(t.hash(h.hi, h.lo, h.scope))&^0xffffff | uint32(i+1)
	}
}

// find returns the slot of the key and its aggregate, or the empty slot
// where it belongs and nil.
func (t *hostTable) find(hi, lo uint64, scope uint32) (int, *hostHour) {
	h := t.hash(hi, lo, scope)
	tag, mask := uint32(h)>>24, len(t.slots)-1
	for i := int(h >> t.shift); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return i, nil
		}
		if s>>24 == tag {
			if a := t.at(s&0xffffff - 1); a.lo == lo && a.hi == hi && a.scope == scope {
				return i, a
			}
		}
	}
}

// at returns the aggregate at index i.
func (t *hostTable) at(i uint32) *hostHour { return t.hours.at(i) }

// scopeIndex returns the index of sub and zone, adding them if add.
func (t *hostTable) scopeIndex(sub, zone string, add bool) (uint32, bool) {
	if sub == "" && zone == "" {
		return 0, true
	}
	k := hostScope{sub, zone}
	if i, ok := t.byName[k]; ok {
		return i, true
	}
	if !add {
		return 0, false
	}
	if t.byName == nil {
		t.byName = map[hostScope]uint32{}
	}
	i := uint32(len(t.scopes))
	t.scopes = append(t.scopes, k)
	t.byName[k] = i
	return i, true
}

// words splits an address into the table's key words.
func words(ip netip.Addr) (hi, lo uint64) {
	if ip.Is4() {
		a := ip.As4()
		return 0, 0xffff<<32 | uint64(binary.BigEndian.Uint32(a[:]))
	}
	a := ip.As16()
	return binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])
}

// get returns the aggregate of ip in scope sub, or nil. Keys are unmapped
// addresses: a v4-mapped ip finds its IPv4 address's aggregate.
func (t *hostTable) get(sub string, ip netip.Addr) *hostHour {
	scope, ok := t.scopeIndex(sub, ip.Zone(), false)
	if !ok {
		return nil
	}
	hi, lo := words(ip)
	_, h := t.find(hi, lo, scope)
	return h
}

// add returns a new zero aggregate for ip in scope sub, which get did not
// find, or nil when the table holds maxTableHosts.
func (t *hostTable) add(sub string, ip netip.Addr) *hostHour {
	if t.n >= maxTableHosts {
		return nil
	}
	if 4*(t.n+1) > 3*len(t.slots) {
		t.resize(2 * len(t.slots))
	}
	scope, _ := t.scopeIndex(sub, ip.Zone(), true)
	hi, lo := words(ip)
	i, h := t.hours.add()
	h.hi, h.lo, h.scope = hi, lo, scope
	p, _ := t.find(hi, lo, scope)
	t.slots[p] = uint32(t.hash(hi, lo, scope))&^0xffffff | uint32(i+1)
	t.n++
	return h
}

// each calls f with every key and aggregate, in the order they were added.
func (t *hostTable) each(f func(k hostKey, h hourView)) {
	for i := range t.n {
		h := t.at(uint32(i))
		f(t.key(h), t.view(h))
	}
}

// sourceIndex returns the index of source, adding it.
func (t *hostTable) sourceIndex(source string) uint32 {
	if t.sources[t.lastSource] == source {
		return t.lastSource
	}
	i, ok := t.bySource[source]
	if !ok {
		if t.bySource == nil {
			t.bySource = map[string]uint32{"": 0}
		}
		i = uint32(len(t.sources))
		t.sources = append(t.sources, source)
		t.bySource[source] = i
	}
	t.lastSource = i
	return i
}

// key rebuilds an aggregate's key: a v4-mapped address is IPv4, as the
// keys were unmapped when added.
func (t *hostTable) key(h *hostHour) hostKey {
	var a [16]byte
	binary.BigEndian.PutUint64(a[:8], h.hi)
	binary.BigEndian.PutUint64(a[8:], h.lo)
	sc := t.scopes[h.scope]
	ip := netip.AddrFrom16(a).Unmap()
	if sc.zone != "" {
		ip = ip.WithZone(sc.zone)
	}
	return hostKey{scope: sc.sub, ip: ip}
}
