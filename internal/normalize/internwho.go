package normalize

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"unsafe"

	"github.com/vedette/vedette/internal/event"
)

// whoCache interns who acted as one entry. An event's principal, object ID
// and display name come back together, record after record: one lookup
// finds the three (a table entry holds them in one copy) instead of three
// lookups, which at thousands of principals miss every cache there is.
//
// The cache is two-way set-associative, keyed by a hash of the whole
// principal (principals differ anywhere: "user.000123@contoso.example"),
// each slot tagged with the hash so that a slot of another principal is
// passed over without reading its strings. The slots start few (a reader
// per Kafka message stays cheap) and grow while they miss, up to
// maxWhoBits: 16k principals' triples held, 1 MiB.
type whoCache struct {
	slots  []whoSlot // pairs: slots[2i], slots[2i+1], the most recent first
	bits   uint      // log2 of the number of pairs
	misses int
	key    []byte // the table key being built
	low    []byte // lower-case principals of the record being read
}

type whoSlot struct {
	tag uint64
	who [3]string // principal, object ID, display name: owned
}

const (
	minWhoBits = 7
	maxWhoBits = 13
)

// lowerWho is strtab.lower for a principal: the lower-case copy is made in
// scratch space that lasts until the next record, not looked up; ownWho
// then owns it with the event's other names, in one lookup.
func (t *strtab) lowerWho(s string) string {
	if !mayHaveUpper(s) {
		return s
	}
	w := &t.who
	n := len(w.low)
	b, ok := appendLower(w.low, s)
	if !ok {
		return strings.ToLower(s)
	}
	// A grown buffer leaves earlier principals of the record in the old
	// one, which they keep alive.
	w.low = b
	return unsafe.String(&b[n], len(s))
}

// ownWho gives e's principal, object ID and display name owned bytes,
// from the cache or from one table entry that holds the three.
func (t *strtab) ownWho(e *event.Event) {
	who := [3]string{e.Principal, e.PrincipalID, e.DisplayName}
	if who[0] == "" && who[1] == "" && who[2] == "" {
		return
	}
	w := &t.who
	if w.slots == nil {
		w.resize(minWhoBits)
	}
	h := wordHash(who[0])
	pair := w.slots[2*(h>>(64-w.bits)):][:2]
	switch {
	case pair[0].tag == h && sameWho(&pair[0].who, &who):
	case pair[1].tag == h && sameWho(&pair[1].who, &who):
		pair[0], pair[1] = pair[1], pair[0]
	default:
		if w.misses++; w.misses > 4<<w.bits && w.bits < maxWhoBits {
			w.resize(min(w.bits+2, maxWhoBits))
			pair = w.slots[2*(h>>(64-w.bits)):][:2]
		}
		pair[1] = pair[0]
		pair[0] = whoSlot{tag: h, who: t.whoEntry(who)}
	}
	e.Principal, e.PrincipalID, e.DisplayName = pair[0].who[0], pair[0].who[1], pair[0].who[2]
}

// sameWho is *a == *b, the lengths compared before any bytes: a slot
// of the same principal with another display name or ID costs no
// memequal, and no call for the array's equality.
func sameWho(a, b *[3]string) bool {
	return len(a[0]) == len(b[0]) && len(a[1]) == len(b[1]) && len(a[2]) == len(b[2]) &&
		a[0] == b[0] && a[1] == b[1] && a[2] == b[2]
}

func (w *whoCache) resize(bits uint) {
	w.slots, w.bits, w.misses = make([]whoSlot, 2<<bits), bits, 0
}

// wordHash hashes all of s, eight bytes at a time. Not seeded: a flood of
// colliding principals only costs cache misses; the table behind the
// cache is seeded.
func wordHash(s string) uint64 {
	const k = 0x9e3779b97f4a7c15
	h := uint64(len(s)) * k
	i := 0
	for ; i+8 <= len(s); i += 8 {
		h = bits.RotateLeft64((h^load64(s, i))*k, 31)
	}
	switch {
	case i == len(s):
	case len(s) >= 8: // the last word, overlapping the one before it
		h = bits.RotateLeft64((h^load64(s, len(s)-8))*k, 31)
	default:
		var tail uint64
		for j := len(s) - 1; j >= i; j-- {
			tail = tail<<8 | uint64(s[j])
		}
		h = bits.RotateLeft64((h^tail)*k, 31)
	}
	return (h ^ h>>29) * k
}

// whoEntry looks who up in the table, adding it if new. The key is the
// three strings, each but the last preceded by its length (the object ID's
// as 0 when it is the principal itself, as for workload identities), so
// that no two triples share a key.
func (t *strtab) whoEntry(who [3]string) [3]string {
	w := &t.who
	idLen := uint64(len(who[1]) + 1)
	if who[1] == who[0] {
		idLen = 0
	}
	k := binary.AppendUvarint(keepScratch(w.key), uint64(len(who[0])))
	k = binary.AppendUvarint(k, idLen)
	k = append(k, who[0]...)
	if idLen != 0 {
		k = append(k, who[1]...)
	}
	k = append(k, who[2]...)
	w.key = k
	key := unsafe.String(unsafe.SliceData(k), len(k))
	owned, _, ok := t.tab.get(key)
	if !ok {
		owned, _ = t.tab.add(key, "")
	}
	return splitWho(owned)
}

// splitWho reads a key whoEntry wrote.
func splitWho(s string) (who [3]string) {
	n, i := uvarintString(s)
	id, j := uvarintString(s[i:])
	s = s[i+j:]
	who[0], s = s[:n], s[n:]
	if id == 0 {
		who[1] = who[0]
	} else {
		who[1], s = s[:id-1], s[id-1:]
	}
	who[2] = s
	return who
}

func uvarintString(s string) (int, int) {
	var v uint64
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		v |= uint64(s[i]&0x7f) << (7 * i)
		if s[i] < 0x80 {
			return int(v), i + 1
		}
	}
	panic("normalize: malformed intern key")
}

// appendLower appends s in lower case to dst. ok is false, and dst as it
// was, when s has a non-ASCII byte (strings.ToLower's business). Eight
// bytes at a time: a letter 'A'..'Z' gains 0x20.
func appendLower(dst []byte, s string) (_ []byte, ok bool) {
	n := len(dst)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := load64(s, i)
		if x&(0x80*ones) != 0 {
			return dst[:n], false
		}
		dst = binary.LittleEndian.AppendUint64(dst, x|upperOrHigh(x)>>2)
	}
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			return dst[:n], false
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst, true
}
