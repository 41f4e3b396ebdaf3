package normalize

import (
	"hash/maphash"
	"unsafe"
)

// internTable maps strings read from records (borrowed from the record's
// bytes) to values the reader owns: the string's own copy for interning,
// its lower-case copy for lower. It is bounded by memory, not by entries:
// a generation grows (open addressing, linear probing, load ≤ 3/4) until
// its slots and the bytes of its keys reach genBudget; then it becomes the
// old generation and a new one starts. A lookup that hits the old
// generation moves the entry to the new one, so what records keep using
// (the tenant's principals, apps, user agents) survives every turn and
// only what was not met for a whole generation is dropped. At most two
// generations are held: about 2 × genBudget per reader.
//
// Hashes are seeded per table (hash/maphash): records carry
// attacker-chosen text, and a collision flood costs only probing time.
type internTable[V any] struct {
	seed      maphash.Seed
	young     generation[V]
	old       generation[V]
	genBudget int
}

type generation[V any] struct {
	slots []entry[V] // len a power of two; an empty key marks a free slot
	n     int        // entries held
	bytes int        // bytes of the keys held
}

// entry keeps its key's hash, so that a probe compares strings only when
// the hashes are equal; val comes before key: a zero-size V (the intern
// set) at the end of the struct would be padded.
type entry[V any] struct {
	h   uint64
	val V
	key string
}

const (
	minInternSlots = 1 << 10
	// defaultGenBudget bounds a generation: slots plus key bytes. 32 MiB
	// hold 512k slots and 300k distinct strings of 25 bytes (100k
	// principals' names, IDs and display names) with the tenant's other
	// values in one generation: all of them stay found, and the table
	// takes about 21 MB for them.
	defaultGenBudget = 32 << 20
)

func (t *internTable[V]) init() {
	if t.young.slots == nil {
		t.seed = maphash.MakeSeed()
		t.young.slots = make([]entry[V], minInternSlots)
		if t.genBudget == 0 {
			t.genBudget = defaultGenBudget
		}
	}
}

// get returns the value of key, moving it to the young generation when
// the old one held it.
func (t *internTable[V]) get(key string) (owned string, val V, ok bool) {
	t.init()
	h := maphash.String(t.seed, key)
	if e := t.young.find(key, h); e != nil {
		return e.key, e.val, true
	}
	if t.old.n > 0 {
		if e := t.old.find(key, h); e != nil {
			owned, val = e.key, e.val
			t.put(owned, val, h)
			return owned, val, true
		}
	}
	return "", val, false
}

// add stores key (owned by the reader) with its value. The key must not
// be there yet.
func (t *internTable[V]) add(key string, val V) {
	t.init()
	t.put(key, val, maphash.String(t.seed, key))
}

func (t *internTable[V]) put(key string, val V, h uint64) {
	g := &t.young
	if (g.n+1)*4 > len(g.slots)*3 {
		if g.size(2*len(g.slots)) <= t.genBudget {
			g.grow()
		} else {
			t.turn()
		}
	} else if g.size(len(g.slots)) > t.genBudget {
		t.turn() // long keys: the bytes reached the budget first
	}
	g.insert(key, val, h)
}

// turn makes the young generation the old one and starts a new one of
// the same size, reusing the old generation's slots.
func (t *internTable[V]) turn() {
	slots := t.old.slots
	if len(slots) != len(t.young.slots) {
		slots = make([]entry[V], len(t.young.slots))
	} else {
		clear(slots)
	}
	t.old, t.young = t.young, generation[V]{slots: slots}
}

// len is the number of entries held in both generations.
func (t *internTable[V]) len() int { return t.young.n + t.old.n }

// size is the memory a generation of n slots holding g's keys takes.
func (g *generation[V]) size(n int) int {
	var e entry[V]
	return n*int(unsafe.Sizeof(e)) + g.bytes
}

func (g *generation[V]) find(key string, h uint64) *entry[V] {
	mask := uint64(len(g.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		e := &g.slots[i]
		switch {
		case e.h == h && e.key == key:
			return e
		case e.key == "":
			return nil
		}
	}
}

func (g *generation[V]) insert(key string, val V, h uint64) {
	mask := uint64(len(g.slots) - 1)
	i := h & mask
	for g.slots[i].key != "" {
		i = (i + 1) & mask
	}
	g.slots[i] = entry[V]{h, val, key}
	g.n++
	g.bytes += len(key)
}

func (g *generation[V]) grow() {
	old := g.slots
	*g = generation[V]{slots: make([]entry[V], 2*len(old))}
	for _, e := range old {
		if e.key != "" {
			g.insert(e.key, e.val, e.h)
		}
	}
}
