package normalize

import "encoding/binary"

// Helpers of the fast decoder (fastdecode.go) for the two things real
// records are full of: keys in the order the last record had them, and
// coordinates written as plain decimals.

// shapeKey is a key at its position in the last object of a type. Feeds
// are homogeneous, so a key is nearly always where it was last time: one
// comparison finds its field.
type shapeKey struct {
	lit  [2]uint64 // the literal's first 16 bytes after its opening quote, zero-padded
	mask [2]uint64 // the bytes of lit that count
	idx  int       // index in objType.fields, -1 for a key no field has
	end  int       // the literal's length, quotes included
	long bool      // the literal does not fit in lit: the rest is compared as a string
	key  string
}

// shapeSlot holds the keys two shapes have at one position, the one met
// last first; an unused key has a zero mask.
type shapeSlot [2]shapeKey

func newShapeKey(key string, idx int) shapeKey {
	k := shapeKey{key: key, idx: idx, end: len(key) + 2, long: len(key) >= 16}
	var buf [16]byte
	n := copy(buf[:], key)
	if n < len(buf) {
		buf[n] = '"'
		n++
	}
	for j := range n {
		k.mask[j/8] |= 0xff << (8 * (j % 8))
	}
	k.lit[0] = binary.LittleEndian.Uint64(buf[:]) & k.mask[0]
	k.lit[1] = binary.LittleEndian.Uint64(buf[8:]) & k.mask[1]
	return k
}

// at reports whether b[i] opens the string literal of k, and where that
// literal ends, for the common case: a key of up to 15 bytes, with 16
// bytes of b to compare with. Each key of a shape is plain ASCII with no
// quote, backslash or control byte (scanString vouched for it), so when
// the record holds exactly it followed by a quote, that is the whole
// literal. atSlow answers for the others.
func (k *shapeKey) at(b []byte, i int) (end int, ok bool) {
	if k.long || i+17 > len(b) || b[i] != '"' {
		return i, false
	}
	w := b[i+1 : i+17]
	x := (binary.LittleEndian.Uint64(w) ^ k.lit[0]) & k.mask[0]
	return i + k.end, x|(binary.LittleEndian.Uint64(w[8:])^k.lit[1])&k.mask[1] == 0
}

// atSlow is at for any key and position.
func (k *shapeKey) atSlow(b []byte, i int) (end int, ok bool) {
	e := i + 1 + len(k.key)
	return e + 1, e < len(b) && b[e] == '"' && string(b[i+1:e]) == k.key
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
