package normalize

import (
	"hash/maphash"
	"unsafe"
)

// internTable maps strings read from records (borrowed from the record's
// bytes) to copies the reader owns, and to their lower-case copies.
//
// The copies live in arenas of chunks of up to 64 KiB, and the slots that find
// them hold no pointers (a chunk number and offset): a table of a million
// strings is a few allocations the garbage collector never scans, and an
// owned string costs its bytes and a 16-byte slot. Interned strings point
// into the chunks; a chunk stays alive while any of them is referenced.
//
// The table is bounded by memory, not by entries: a generation grows
// (open addressing, linear probing, load ≤ 3/4) until its slots and
// chunks reach genBudget; then it becomes the old generation and a new one
// starts. A lookup that hits the old generation copies the entry into the
// new one, so what records keep using (a tenant's principals, apps, user
// agents) survives every turn, and only what was not met for a whole
// generation is dropped. At most two generations are held: 2 × genBudget.
//
// Hashes are seeded per table (hash/maphash): records carry
// attacker-chosen text, and a collision flood costs only probing time.
type internTable struct {
	seed      maphash.Seed
	young     generation
	old       generation
	genBudget int
}

type generation struct {
	slots  []slot // len a power of two
	n      int    // entries held
	chunks [][]byte
	bytes  int // capacity of the chunks
}

// slot locates an entry: its key at chunks[chunk][off:off+n], followed
// by its lower-case copy of lowN bytes (0: none). Offsets are below
// chunkSize: a longer string has a chunk of its own, at offset 0.
type slot struct {
	tag   uint32 // the hash's high bits
	chunk uint16
	off   uint16
	n     uint32 // the key's length; 0 marks a free slot (keys are never empty)
	lowN  uint32
}

const (
	// A table starts small (a reader per Kafka message is common): 64
	// slots and a chunk of 1 KiB, chunks doubling up to chunkSize.
	minInternSlots = 64
	minChunk       = 1 << 10
	chunkSize      = 64 << 10
	// defaultGenBudget bounds a generation: slots plus chunks, 24 MiB.
	// A generation holds 300k distinct strings of 25 to 40 bytes (100k
	// principals' names, IDs and display names) in 512k slots and the
	// tenant's other values beside them: all stay found. Two generations
	// at most: 48 MiB, reached only by records of ever new values.
	defaultGenBudget = 24 << 20
)

func (t *internTable) init() {
	if t.young.slots == nil {
		t.seed = maphash.MakeSeed()
		t.young.slots = make([]slot, minInternSlots)
		if t.genBudget == 0 {
			t.genBudget = defaultGenBudget
		}
	}
}

// get returns the owned copy of key and, when the table has it, its
// lower-case copy (low is "" otherwise). An entry found in the old
// generation is copied into the young one.
func (t *internTable) get(key string) (owned, low string, ok bool) {
	t.init()
	h := maphash.String(t.seed, key)
	if s := t.young.find(key, h); s != nil {
		owned, low = t.young.strings(s)
		return owned, low, true
	}
	if t.old.n == 0 {
		return "", "", false
	}
	s := t.old.find(key, h)
	if s == nil {
		return "", "", false
	}
	owned, low = t.old.strings(s)
	owned, low = t.put(owned, low, h)
	return owned, low, true
}

// add stores a copy of key, and of low (its lower-case copy) unless low
// is "", replacing what the table held for key. It
// returns the copies.
func (t *internTable) add(key, low string) (owned, ownedLow string) {
	t.init()
	return t.put(key, low, maphash.String(t.seed, key))
}

func (t *internTable) put(key, low string, h uint64) (owned, ownedLow string) {
	g := &t.young
	need := len(key) + len(low)
	switch {
	case (g.n+1)*4 > len(g.slots)*3:
		if g.size(2*len(g.slots), need) <= t.genBudget {
			g.grow(t.seed)
		} else {
			t.turn()
		}
	case g.size(len(g.slots), need) > t.genBudget:
		t.turn() // long strings: the chunks reached the budget first
	}
	return g.insert(key, low, h)
}

// turn makes the young generation the old one and starts a new one of
// the same size, reusing the old generation's slots.
func (t *internTable) turn() {
	slots := t.old.slots
	if len(slots) != len(t.young.slots) {
		slots = make([]slot, len(t.young.slots))
	} else {
		clear(slots)
	}
	t.old, t.young = t.young, generation{slots: slots}
}

// len is the number of entries held in both generations.
func (t *internTable) len() int { return t.young.n + t.old.n }

// size is the memory g would take with n slots and need more bytes of
// strings.
func (g *generation) size(n, need int) int {
	bytes := g.bytes
	if c := g.lastChunk(); len(c)+need > cap(c) {
		bytes += nextChunk(c, need)
	}
	return n*int(unsafe.Sizeof(slot{})) + bytes
}

func (g *generation) lastChunk() []byte {
	if len(g.chunks) == 0 {
		return nil
	}
	return g.chunks[len(g.chunks)-1]
}

func (g *generation) strings(s *slot) (key, low string) {
	c := g.chunks[s.chunk]
	key = unsafe.String(&c[s.off], s.n)
	if s.lowN != 0 {
		low = unsafe.String(&c[uint32(s.off)+s.n], s.lowN)
	}
	return key, low
}

func (g *generation) find(key string, h uint64) *slot {
	mask := uint64(len(g.slots) - 1)
	tag := uint32(h >> 32)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &g.slots[i]
		switch {
		case s.n == 0:
			return nil
		case s.tag == tag && int(s.n) == len(key):
			if k, _ := g.strings(s); k == key {
				return s
			}
		}
	}
}

// insert copies key and low into the chunks and points a slot at them:
// the slot key already has, or a free one.
func (g *generation) insert(key, low string, h uint64) (owned, ownedLow string) {
	chunk, off := g.store(key, low)
	s := slot{tag: uint32(h >> 32), chunk: chunk, off: off, n: uint32(len(key)), lowN: uint32(len(low))}
	mask := uint64(len(g.slots) - 1)
	i := h & mask
	for ; g.slots[i].n != 0; i = (i + 1) & mask {
		if old := &g.slots[i]; old.tag == s.tag && old.n == s.n {
			if k, _ := g.strings(old); k == key {
				break // replaced: the entry gains its lower-case copy
			}
		}
	}
	if g.slots[i].n == 0 {
		g.n++
	}
	g.slots[i] = s
	return g.strings(&g.slots[i])
}

// store appends key and low to the last chunk, or to a new one.
func (g *generation) store(key, low string) (chunk, off uint16) {
	need := len(key) + len(low)
	c := g.lastChunk()
	if len(c)+need > cap(c) {
		c = make([]byte, 0, nextChunk(c, need))
		g.chunks = append(g.chunks, c)
		g.bytes += cap(c)
	}
	at := len(c)
	c = append(append(c, key...), low...)
	g.chunks[len(g.chunks)-1] = c
	return uint16(len(g.chunks) - 1), uint16(at)
}

// nextChunk is the size of the chunk after last for a string of need
// bytes: twice last, from minChunk up to chunkSize, or need.
func nextChunk(last []byte, need int) int {
	return max(need, min(chunkSize, max(minChunk, 2*cap(last))))
}

// grow doubles the slots; the chunks stay.
func (g *generation) grow(seed maphash.Seed) {
	old := g.slots
	g.slots = make([]slot, 2*len(old))
	mask := uint64(len(g.slots) - 1)
	for _, s := range old {
		if s.n == 0 {
			continue
		}
		k, _ := g.strings(&s)
		// The tag is the hash's high bits; the position needs its low
		// ones: hash again.
		i := maphash.String(seed, k) & mask
		for g.slots[i].n != 0 {
			i = (i + 1) & mask
		}
		g.slots[i] = s
	}
}
