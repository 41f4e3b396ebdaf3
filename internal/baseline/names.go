package baseline

import "unsafe"

// nameCache finds a principal's index by where its name's bytes are. The
// decoders intern names, so the events of a principal carry one of a few
// copies of its name: comparing a copy's address and length with one
// cached spares hashing the name and probing the index map. A slot holds
// the address as a number, not the string: the cache keeps no copy of a
// name alive, so it pins none of the decoders' intern chunks (64 KiB
// each) once their tables have turned over. An address may therefore be
// reused by another string after a collection, so a hit is only a
// candidate: get confirms it against the principal's own name (one
// compare of bytes Touch has already loaded). Two slots an address may
// take, the most recent first; eight slots a principal (at most
// 1<<maxNameBits pairs): the decoders of `detect` each hold a copy of a
// name, and renew copies as their tables turn over. Derived state:
// emptied by reindex.
type nameCache struct {
	slots []nameSlot
	bits  uint // of the number of pairs of slots
}

type nameSlot struct {
	addr  uintptr // of the name's bytes; 0 for a free slot
	n     uint32  // the name's length
	index uint32
}

const (
	minNameBits = 7
	maxNameBits = 15
)

// pair returns the two slots the name at addr may be in.
func (c *nameCache) pair(addr uintptr) *[2]nameSlot {
	i := 2 * ((uint64(addr) * 0x9e3779b97f4a7c15) >> (64 - c.bits))
	return (*[2]nameSlot)(c.slots[i : i+2])
}

// peek returns the index cached for name's address and length, not
// confirmed: what Touch loads ahead of Lookup, which confirms it.
func (c *nameCache) peek(name string) (uint32, bool) {
	if c.slots == nil || name == "" || uint64(len(name)) > 1<<32-1 {
		return 0, false
	}
	addr := uintptr(unsafe.Pointer(unsafe.StringData(name)))
	pair := c.pair(addr)
	for j := range pair {
		if s := &pair[j]; s.addr == addr && s.n == uint32(len(name)) {
			return s.index, true
		}
	}
	return 0, false
}

// get returns the index of the principal named name, if its address is
// cached and the principal there has that name.
func (c *nameCache) get(name string, principals []Principal) (uint32, bool) {
	i, ok := c.peek(name)
	if !ok || int(i) >= len(principals) || principals[i].Name != name {
		return 0, false
	}
	return i, true
}

// same reports whether a and b are the same bytes: at the same address,
// of the same length. Both strings are held by the caller, so neither
// address can have been reused.
func same(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// put caches name's index, of a tenant with n principals; the cache is
// resized (emptied) when n outgrows it.
func (c *nameCache) put(name string, index uint32, n int) {
	if name == "" || uint64(len(name)) > 1<<32-1 {
		return
	}
	if c.slots == nil || (n<<2 > 1<<c.bits && c.bits < maxNameBits) {
		bits := uint(minNameBits)
		for n<<2 > 1<<bits && bits < maxNameBits {
			bits++
		}
		c.slots, c.bits = make([]nameSlot, 2<<bits), bits
	}
	addr := uintptr(unsafe.Pointer(unsafe.StringData(name)))
	pair := c.pair(addr)
	pair[1], pair[0] = pair[0], nameSlot{addr, uint32(len(name)), index}
}
