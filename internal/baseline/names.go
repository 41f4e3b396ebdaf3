package baseline

import "unsafe"

// nameCache finds a principal's index by where its name's bytes are. The
// decoders intern names, so the events of a principal carry one of a few
// copies of its name: comparing a copy's address and length with one
// cached spares hashing the name and comparing it with the index's key,
// whose bytes are cold in the processor's cache. A slot keeps its name
// alive, so a live string at the same address with the same length is
// the same name. Derived state: emptied by reindex, and sized to four
// slots a principal (at most maxNameSlots).
type nameCache struct {
	slots []nameSlot
	bits  uint
}

type nameSlot struct {
	name  string
	index uint32
}

const (
	minNameBits = 8
	maxNameBits = 16
)

// slot returns name's slot, which holds name when its name is at the same
// address.
func (c *nameCache) slot(name string) *nameSlot {
	p := uint64(uintptr(unsafe.Pointer(unsafe.StringData(name))))
	return &c.slots[(p*0x9e3779b97f4a7c15)>>(64-c.bits)]
}

// get returns the index cached for name.
func (c *nameCache) get(name string) (uint32, bool) {
	if c.slots == nil || name == "" {
		return 0, false
	}
	s := c.slot(name)
	if len(s.name) != len(name) || unsafe.StringData(s.name) != unsafe.StringData(name) {
		return 0, false
	}
	return s.index, true
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
		c.slots, c.bits = make([]nameSlot, 1<<bits), bits
	}
	*c.slot(name) = nameSlot{name, index}
}
