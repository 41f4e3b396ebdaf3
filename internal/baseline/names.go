package baseline

import "unsafe"

// nameCache finds a principal's index by where its name's bytes are. The
// decoders intern names, so the events of a principal carry one of a few
// copies of its name: comparing a copy's address and length with one
// cached spares hashing the name and comparing it with the index's key,
// whose bytes are cold in the processor's cache. A slot keeps its name
// alive, so a live string at the same address with the same length is
// the same name. Two slots an address may take, the most recent first;
// eight slots a principal (at most 1<<maxNameBits): the decoders of
// `detect` each hold a copy of a name, and renew copies as their tables
// turn over. Derived state: emptied by reindex.
type nameCache struct {
	slots []nameSlot
	bits  uint // of the number of pairs of slots
}

type nameSlot struct {
	name  string
	index uint32
}

const (
	minNameBits = 7
	maxNameBits = 15
)

// pair returns the two slots name may be in.
func (c *nameCache) pair(name string) *[2]nameSlot {
	p := uint64(uintptr(unsafe.Pointer(unsafe.StringData(name))))
	i := 2 * ((p * 0x9e3779b97f4a7c15) >> (64 - c.bits))
	return (*[2]nameSlot)(c.slots[i : i+2])
}

// get returns the index cached for name.
func (c *nameCache) get(name string) (uint32, bool) {
	if c.slots == nil || name == "" {
		return 0, false
	}
	pair := c.pair(name)
	for j := range pair {
		if s := &pair[j]; same(s.name, name) {
			return s.index, true
		}
	}
	return 0, false
}

// same reports whether a and b are the same bytes: at the same address,
// of the same length.
func same(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// put caches name's index, of a tenant with n principals; the cache is
// resized (emptied) when n outgrows it.
func (c *nameCache) put(name string, index uint32, n int) {
	if name == "" {
		return
	}
	if c.slots == nil || (n<<2 > 1<<c.bits && c.bits < maxNameBits) {
		bits := uint(minNameBits)
		for n<<2 > 1<<bits && bits < maxNameBits {
			bits++
		}
		c.slots, c.bits = make([]nameSlot, 2<<bits), bits
	}
	pair := c.pair(name)
	pair[1], pair[0] = pair[0], nameSlot{name, index}
}
