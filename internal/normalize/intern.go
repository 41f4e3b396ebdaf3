package normalize

import (
	"math/bits"
	"strings"
	"unsafe"

	"github.com/vedette/vedette/internal/event"
)

// strtab gives the strings an event keeps their own bytes. The fast
// decoder's strings point into the record being read, whose buffer is
// reused for the next record; strings that do are copied, and the values
// that repeat from record to record (tenants, principals, apps, user
// agents, categories, codes) are copied once per reader and shared.
type strtab struct {
	tab   internTable // owned copies and lower-case copies, looked up by the borrowed string
	lo, n uintptr     // the record's bytes: n from lo
	low   []byte      // scratch for a lower-case copy
	// recent and recentLower front m and lowers: a slot per hash of a
	// string's length and ends, far cheaper than a table lookup, which
	// is only made when the slot holds another string.
	recent      *[cacheSlots]string
	recentLower *[cacheSlots][2]string // value as written, lower-case copy
	who         whoCache               // principal, object ID and display name together
	last        [14]string             // the owned strings of the previous event, by field (ownEvent)
	tenant, sub [2]string              // the previous tenant and subscription as read and lower-cased (lowerOwned)
	keys        []byte                 // the arena events' keys are copied into (keep)
	// clock is the quick path of the mappings' timestamps: a table of
	// the record's strings, not of its times, but the reader's one state
	// the mappings share.
	clock minuteCache
}

// Keys (record IDs, content hashes) are unique to their record: keep
// copies them into an arena, one allocation of at most keyArena bytes
// (without pointers, not scanned) for dozens of keys instead of one each.
// Arenas start small and double, so that a source of one record (a Kafka
// message) pays for one small one. An arena stays in memory while any of
// its keys is referenced: at most keyArena bytes beside a kept event, as
// the event block beside it. A key longer than maxArenaKey (an attacker's
// ID) gets its own copy.
const (
	keyArena    = 2 << 10
	maxArenaKey = 128
)

// keep returns a copy of s in the key arena.
func (t *strtab) keep(s string) string {
	if len(s) > maxArenaKey || s == "" {
		return strings.Clone(s)
	}
	if cap(t.keys)-len(t.keys) < len(s) {
		t.keys = make([]byte, 0, min(max(2*cap(t.keys), 2*maxArenaKey), keyArena))
	}
	n := len(t.keys)
	t.keys = append(t.keys, s...)
	return unsafe.String(&t.keys[n], len(s))
}

const cacheBits = 9
const cacheSlots = 1 << cacheBits

// cacheSlot hashes s by its length and its first, middle and last 8
// bytes: the values interned (GUIDs, addresses, names, resource IDs, user
// agents) differ there.
func cacheSlot(s string) int { return int(quickHash(s) >> (64 - cacheBits)) }

func quickHash(s string) uint64 {
	var h uint64
	if n := len(s); n >= 8 {
		h = load64(s, 0) ^ bits.RotateLeft64(load64(s, n-8), 29) ^ bits.RotateLeft64(load64(s, (n-8)/2), 47)
	} else {
		for i := 0; i < n; i++ {
			h = h<<8 | uint64(s[i])
		}
	}
	return (h ^ uint64(len(s))) * 0x9e3779b97f4a7c15
}

func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func (t *strtab) setRecord(raw []byte) {
	t.lo = uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	t.n = uintptr(len(raw))
	t.who.low = keepScratch(t.who.low)
}

// keepScratch empties a scratch buffer for reuse, or drops it when a
// hostile record made it large.
func keepScratch(b []byte) []byte {
	if cap(b) > 64<<10 {
		return nil
	}
	return b[:0]
}

// borrowed reports whether s points into the record (one unsigned
// compare: an address below lo wraps past n).
func (t *strtab) borrowed(s string) bool {
	return uintptr(unsafe.Pointer(unsafe.StringData(s)))-t.lo < t.n && s != ""
}

// intern returns s, or a shared copy when s points into the record.
func (t *strtab) intern(s string) string {
	if !t.borrowed(s) {
		return s
	}
	return t.internBorrowed(s)
}

// internBorrowed is intern of an s that points into the record.
func (t *strtab) internBorrowed(s string) string {
	if t.recent == nil {
		t.recent = new([cacheSlots]string)
	}
	slot := &t.recent[cacheSlot(s)]
	if *slot == s {
		return *slot
	}
	v, _, ok := t.tab.get(s)
	if !ok {
		v, _ = t.tab.add(s, "")
	}
	*slot = v
	return v
}

// lower returns s in lower case (strings.ToLower), owned when s may have
// had to change. Values written in upper case repeat from record to record
// (ARM operation names, resource IDs, subscription IDs, GUIDs): each is
// lower-cased once per reader. An already lower-case ASCII s is returned
// as it is, for ownEvent to intern.
func (t *strtab) lower(s string) string {
	if !mayHaveUpper(s) {
		return s
	}
	if t.recentLower == nil {
		t.recentLower = new([cacheSlots][2]string)
	}
	slot := &t.recentLower[cacheSlot(s)]
	if slot[0] == s {
		return slot[1]
	}
	key, low, ok := t.tab.get(s)
	if !ok || low == "" {
		key, low = t.tab.add(s, t.toLower(s))
	}
	*slot = [2]string{key, low}
	return low
}

// lowerOwned is lower for a value that mostly repeats from record to
// record (a tenant, a subscription), owned: last holds the previous value
// (owned) and its owned lower-case copy, returned when s is the same, with
// no look at its letters; ownEvent then passes the field over.
func (t *strtab) lowerOwned(s string, last *[2]string) string {
	if s == last[0] {
		return last[1]
	}
	key := t.ownCopy(s)
	low := key
	if mayHaveUpper(s) {
		low = t.lower(s) // the table's copy
	}
	*last = [2]string{key, low}
	return low
}

// ownCopy is s interned when it points into the record, else a copy of
// its own: a value kept beyond its record must not keep alive what holds
// it (a CSV row, a document).
func (t *strtab) ownCopy(s string) string {
	if t.borrowed(s) {
		return t.internBorrowed(s)
	}
	return strings.Clone(s)
}

// toLower is strings.ToLower(s), in scratch space when s is ASCII: the
// table keeps its own copy.
func (t *strtab) toLower(s string) string {
	low, ok := appendLower(keepScratch(t.low), s)
	if !ok {
		return strings.ToLower(s)
	}
	t.low = low
	return unsafe.String(unsafe.SliceData(low), len(low))
}

// mayHaveUpper reports whether s has an ASCII upper-case letter or a
// non-ASCII byte (left to strings.ToLower). Eight bytes at a time: most
// values are lower-case GUIDs and names, most upper-case ones say so in
// their first word.
func mayHaveUpper(s string) bool {
	if len(s) >= 8 {
		// The last word overlaps the one before it, if need be: no byte
		// at a time.
		for i := 0; i < len(s)-8; i += 8 {
			if upperOrHigh(load64(s, i)) != 0 {
				return true
			}
		}
		return upperOrHigh(load64(s, len(s)-8)) != 0
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}

// upperOrHigh flags the bytes of x in 'A'..'Z' or >= 0x80. For an ASCII
// byte c, (c + 0x80 - 'A') has its high bit set when c >= 'A', and
// (c + 0x80 - 'Z' - 1) when c > 'Z'; no addition carries into the next
// byte (each stays below 0x100 for c < 0x80). A byte >= 0x80 is flagged
// by x itself, whatever the other terms say of it.
func upperOrHigh(x uint64) uint64 {
	const h = 0x80 * ones
	ascii := x &^ h
	geA := ascii + (0x80-'A')*ones
	gtZ := ascii + (0x80-'Z'-1)*ones
	return (geA&^gtZ | x) & h
}

// clone returns s, or a copy when s points into the record: for values
// unique to a record, not worth keeping.
func (t *strtab) clone(s string) string {
	if !t.borrowed(s) {
		return s
	}
	return strings.Clone(s)
}

// ownEvent makes every string of e independent of the record's bytes.
// Each field's value is first compared with the field's value in the
// previous event, which it mostly is (the tenant, the category, the
// result code, a user's app, agent and city in a run of sign-ins): no
// hashing then. The fields are spelled out, not looped over: a field
// not borrowed (a constant, a value already owned) costs a compare.
func (t *strtab) ownEvent(e *event.Event) {
	if t.borrowed(e.Key) {
		e.Key = t.keep(e.Key)
	}
	e.Detail = t.clone(e.Detail)
	t.ownWho(e)
	l := &t.last
	t.own(&e.Tenant, &l[0])
	t.own(&e.Subscription, &l[1])
	t.own(&e.UserAgent, &l[2])
	t.own(&e.AppID, &l[3])
	t.own(&e.AppName, &l[4])
	t.own(&e.Operation, &l[5])
	t.own(&e.Category, &l[6])
	t.own(&e.ResultCode, &l[7])
	t.own(&e.Resource, &l[8])
	t.own(&e.Location.Country, &l[9])
	t.own(&e.Location.City, &l[10])
	t.own(&e.Location.Source, &l[11])
	t.own(&e.Location.Build, &l[12])
	t.own(&e.Origin.Source, &l[13])
}

// own gives *s owned bytes: last, the field's owned value in the previous
// event, when *s equals it, else the interned copy, which last becomes.
func (t *strtab) own(s, last *string) {
	if t.borrowed(*s) {
		t.ownBorrowed(s, last)
	}
}

func (t *strtab) ownBorrowed(s, last *string) {
	if *s == *last {
		*s = *last
		return
	}
	*s = t.internBorrowed(*s)
	*last = *s
}
