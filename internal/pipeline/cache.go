package pipeline

import (
	"encoding/binary"
	"math/bits"
	"net/netip"

	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/event"
)

// addrTable caches, by address, what the lookups answered for it: its AS
// and its location (the answers of Networks and Locator do not change
// while a pipeline runs), its lists' tags under one version of the lists,
// and whether the threat intelligence of one version lists it at all.
// One slot holds all of an address's answers, so an event's enrichment
// touches one slot; the answers themselves are shared between addresses
// (an organisation's addresses are in a few networks and places).
//
// It is an open-addressing table grown to hold every address seen (a
// month of a 2000-user organisation has about 3000), up to maxAddrSlots
// slots: full at that size, it starts empty again, so memory stays
// bounded whatever the input's addresses.
type addrTable struct {
	slots []addrInfo
	used  int
	// last is the slot find returned last, for key lastKey: an event's
	// enrichment asks for its address's slot for each answer.
	last    *addrInfo
	lastKey [16]byte
	// nets and locs share the answers between addresses.
	nets map[event.Network]*event.Network
	locs map[event.Location]*event.Location
}

// addrInfo is one address's answers; the flags say which it holds.
type addrInfo struct {
	key  [16]byte
	net  *event.Network  // nil when Networks knows no AS
	loc  *event.Location // nil when Locator knows no place
	tags *[]detect.IPTag // nil for none
	// lists is the version of the lists tags are of; intel that of the
	// threat intelligence unlisted is of.
	lists, intel uint64
	flags        uint8
}

const (
	addrUsed     = 1 << iota // the slot holds key
	addrNet                  // net is the answer of Networks
	addrLoc                  // loc is the answer of Locator
	addrTags                 // tags are the lists' answer of version lists
	addrUnlisted             // no indicator of version intel covers key
)

const (
	minAddrBits = 10
	maxAddrBits = 16 // 64k slots of 64 bytes (a cache line): 4 MiB
	// maxShared bounds nets and locs.
	maxShared = 1 << 12
)

// find returns ip's slot, adding an empty one if the table has none. ip
// must be unmapped and without zone. The slot is valid until the next
// find.
func (t *addrTable) find(ip netip.Addr) *addrInfo {
	if t.slots == nil {
		t.slots = make([]addrInfo, 1<<minAddrBits)
	}
	key := ip.As16()
	if t.last != nil && t.lastKey == key {
		return t.last
	}
	t.last, t.lastKey = t.lookup(key), key
	return t.last
}

// lookup is find without the last slot.
func (t *addrTable) lookup(key [16]byte) *addrInfo {
	mask := uint64(len(t.slots) - 1)
	for i := addrHash(key) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.flags&addrUsed == 0 {
			return t.add(s, key)
		}
		if s.key == key {
			return s
		}
	}
}

// peek loads the first slot where ip's key may be, and returns its flags.
func (t *addrTable) peek(ip netip.Addr) uint8 {
	if t.slots == nil {
		return 0
	}
	return t.slots[addrHash(ip.As16())&uint64(len(t.slots)-1)].flags
}

// add puts key in the empty slot s, growing the table (or emptying it, at
// its largest) first when half its slots are used.
func (t *addrTable) add(s *addrInfo, key [16]byte) *addrInfo {
	if 2*(t.used+1) > len(t.slots) {
		t.grow()
		mask := uint64(len(t.slots) - 1)
		i := addrHash(key) & mask
		for t.slots[i].flags&addrUsed != 0 {
			i = (i + 1) & mask
		}
		s = &t.slots[i]
	}
	t.used++
	*s = addrInfo{key: key, flags: addrUsed}
	return s
}

// grow doubles the table, keeping its slots, or empties it when it is at
// its largest.
func (t *addrTable) grow() {
	t.last = nil
	n := len(t.slots)
	if bits.Len(uint(n))-1 >= maxAddrBits {
		clear(t.slots)
		t.used = 0
		return
	}
	old := t.slots
	t.slots = make([]addrInfo, 2*n)
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.flags&addrUsed == 0 {
			continue
		}
		i := addrHash(s.key) & mask
		for t.slots[i].flags&addrUsed != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// addrHash mixes both halves of an address (IPv4 addresses are all in
// the second).
func addrHash(k [16]byte) uint64 {
	lo, hi := binary.LittleEndian.Uint64(k[:8]), binary.LittleEndian.Uint64(k[8:])
	h := (lo ^ bits.RotateLeft64(hi, 29)) * 0x9e3779b97f4a7c15
	return h ^ h>>32
}

// network returns n shared.
func (t *addrTable) network(n event.Network) *event.Network {
	return share(&t.nets, n)
}

// location returns l shared.
func (t *addrTable) location(l event.Location) *event.Location {
	return share(&t.locs, l)
}

// share returns m's copy of v, adding v; m is emptied when it holds
// maxShared values (the slots keep theirs).
func share[V comparable](m *map[V]*V, v V) *V {
	if p, ok := (*m)[v]; ok {
		return p
	}
	if *m == nil || len(*m) >= maxShared {
		*m = map[V]*V{}
	}
	p := &v
	(*m)[v] = p
	return p
}
