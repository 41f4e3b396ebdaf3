package normalize

import "encoding/binary"

// Helpers of the fast decoder (fastdecode.go) for the two things real
// records are full of: keys in the order the last record had them, and
// coordinates written as plain decimals.

// shapeKey is a key at its position in the last object of a type. Feeds
// are homogeneous, so a key is nearly always where it was last time: a few
// word comparisons find its field.
type shapeKey struct {
	// lit is the member's text up to its value as compact JSON writes it,
	// zero-padded: the byte before the key (the object's brace for the
	// first key, a comma for the others), the quoted key and the colon;
	// mask marks the bytes that count. plainMembers compares 32 bytes of
	// a record with it.
	lit  [4]uint64
	mask [4]uint64
	idx  int     // index in objType.fields, -1 for a key no field has
	word int     // idx's word in an object's set of fields seen
	bit  uint64  // idx's bit in that word, 0 for no field
	off  uintptr // where plainMembers puts the value, in the object's struct
	end  int     // the key's literal length, quotes included
	lane lane    // what plainMembers does with the value
	key  string
	rest string // the member's text past lit's 32 bytes, for a longer key (an ARM claim's URI)
}

// shapeSlot holds the keys two shapes have at one position, the one met
// last first; an unused key has a zero end.
type shapeSlot [2]shapeKey

// newShapeKey makes the shape key of key, the n-th of its object, which
// has the field f (nil for none) at index idx.
func newShapeKey(key string, n, idx int, f *field) shapeKey {
	k := shapeKey{key: key, idx: idx, end: len(key) + 2}
	open := byte(',')
	if n == 0 {
		open = '{'
	}
	text := string(open) + `"` + key + `":`
	if len(text) > 32 {
		text, k.rest = text[:32], text[32:]
	}
	k.lane = laneOf(f)
	if f != nil {
		k.off = f.off
		k.word, k.bit = idx>>6, 1<<(idx&63)
	}
	var buf [32]byte
	copy(buf[:], text)
	for j := range text {
		k.mask[j/8] |= 0xff << (8 * (j % 8))
	}
	for j := range k.lit {
		k.lit[j] = binary.LittleEndian.Uint64(buf[8*j:]) & k.mask[j]
	}
	return k
}

// diff is zero when w, 32 bytes of a record, opens with lit (and a key
// with rest may follow).
func (k *shapeKey) diff(w *[32]byte) uint64 {
	x := (binary.LittleEndian.Uint64(w[:8])^k.lit[0])&k.mask[0] |
		(binary.LittleEndian.Uint64(w[8:16])^k.lit[1])&k.mask[1]
	if k.mask[2] != 0 {
		x |= (binary.LittleEndian.Uint64(w[16:24])^k.lit[2])&k.mask[2] |
			(binary.LittleEndian.Uint64(w[24:32])^k.lit[3])&k.mask[3]
	}
	return x
}

// at reports whether b[i] opens the string literal of k, and where that
// literal ends. Each key of a shape is plain ASCII with no quote,
// backslash or control byte (scanString vouched for it), so when the
// record holds exactly it followed by a quote, that is the whole literal.
func (k *shapeKey) at(b []byte, i int) (end int, ok bool) {
	e := i + 1 + len(k.key)
	return e + 1, k.end != 0 && e < len(b) && b[e] == '"' && string(b[i+1:e]) == k.key
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// exactFloat converts the plain decimals coordinates are written in
// (-?digits(.digits)?, no exponent, at most 15 digits) the way strconv
// does on its own fast path: the digits and the power of ten are both
// exact float64s, so one division rounds correctly. ok is false for
// anything else, left to strconv.ParseFloat. num is a valid JSON number.
func exactFloat(num []byte) (v float64, ok bool) {
	neg := num[0] == '-'
	if neg {
		num = num[1:]
	}
	var mant uint64
	digits, frac := 0, -1
	for _, c := range num {
		switch {
		case c == '.':
			frac = 0
			continue
		case c < '0' || c > '9':
			return 0, false // an exponent
		}
		mant = mant*10 + uint64(c-'0')
		digits++
		if frac >= 0 {
			frac++
		}
	}
	if digits > 15 {
		return 0, false
	}
	v = float64(mant)
	if frac > 0 {
		v /= pow10[frac]
	}
	if neg {
		v = -v
	}
	return v, true
}
