package normalize

import (
	"encoding/json"
	"unsafe"
)

// The fast decoder's loop for the members most of a feed's records are
// made of (fastdecode.go calls it for every object, shape.go keeps what it
// compares with).

// lane says what plainMembers does with the value of a member.
type lane uint8

const (
	laneNone     lane = iota // an unused shapeKey (whose zero end plainMembers checks)
	laneString               // a string field, or a location's country: a plain string is borrowed
	laneSkip                 // no field: a plain string or an integer is vetted and skipped
	laneRaw                  // a json.RawMessage field: a plain string or an integer is kept as it is written
	laneFlex                 // a flex field: a plain string that holds no object leaves it unset
	laneValue                // a field of a kind plainMembers does not read: only an object is handed to object
	laneBool                 // a *bool field: true or false
	laneFloat                // a float64 field: a plain decimal (exactDecimal)
	laneFloatPtr             // a *float64 field: a plain decimal, put in the decoder's float pool
)

// laneOf is the lane of a member with the field f (nil for none).
func laneOf(f *field) lane {
	switch {
	case f == nil:
		return laneSkip
	case f.kind == kString, f.kind == kValueString:
		return laneString
	case f.kind == kLocation && !f.ptr && unsafe.Offsetof(location{}.Country) == 0:
		return laneString
	case f.kind == kFlex:
		return laneFlex
	case f.kind == kBoolPtr:
		return laneBool
	case f.kind == kRaw:
		return laneRaw
	case f.kind == kFloat:
		return laneFloat
	case f.kind == kFloatPtr:
		return laneFloatPtr
	}
	return laneValue
}

// plainMembers decodes the members of an object from the n-th on, for as
// long as each is the member most of a feed's records are made of: the
// key the last object of the type had at its position, compact
// (shapeKey.lit), and a value of the simplest kind its field takes (see
// lane). b[i] is the object's brace (n is 0) or the end of the value
// before; so is the offset it returns, with the position of the member it
// did not take, which object then decodes and vets in full. When that
// member is a remembered key, compact, with an object for its value, not
// yet seen, it returns its key as nested too: object then decodes the
// value without reading the key again. It calls only plainString (a
// string member, most of them) and plainScalar (any other), whose loops
// would otherwise crowd its own state out of the registers; a *float64
// field takes its float from fl, and is left to the full path when fl is
// used up.
func plainMembers(b []byte, i, n int, sh []shapeSlot, base unsafe.Pointer, seen *[2]uint64, fl *pool[float64]) (int, int, *shapeKey) {
	// The record's bytes are read through p, without bounds checks: a
	// member is looked at only when 33 bytes or more are left, and each
	// offset read below is before the end of b (see the comments).
	p := unsafe.Pointer(unsafe.SliceData(b))
	for ; uint(n) < uint(len(sh)) && uint(i)+33 <= uint(len(b)); n++ {
		w := (*[32]byte)(unsafe.Add(p, i))
		k := &sh[n][0]
		if k.diff(w) != 0 {
			// The key the shape before had here: feeds alternate
			// between a few shapes.
			if k = &sh[n][1]; k.end == 0 || k.diff(w) != 0 {
				break
			}
		}
		if k.rest != "" {
			if e := i + 32 + len(k.rest); e >= len(b) || string(b[i+32:e]) != k.rest {
				break
			}
		}
		s := &seen[k.word&1]
		if *s&k.bit != 0 {
			break
		}
		// The value: the member's text up to it is lit's and rest's, and
		// a byte of b follows them (i+32 < len(b), or e < len(b)).
		v := i + 2 + k.end
		c := *(*byte)(unsafe.Add(p, v))
		if c == '"' && k.lane-laneString <= laneFlex-laneString {
			// Most members: a string for a lane that takes one.
			end, ok := plainString(b, v)
			if !ok {
				break
			}
			// b[v:end] is the string literal.
			switch k.lane {
			case laneString:
				if end-v > 2 {
					*(*string)(unsafe.Add(base, k.off)) = unsafe.String((*byte)(unsafe.Add(p, v+1)), end-v-2)
				}
			case laneRaw:
				*(*json.RawMessage)(unsafe.Add(base, k.off)) = unsafe.Slice((*byte)(unsafe.Add(p, v)), end-v)
			case laneFlex:
				if c := *(*byte)(unsafe.Add(p, v+1)); c == '{' || isSpace(c) {
					return i, n, nil // a JSON document: the full path's
				}
			}
			*s |= k.bit
			i = end
			continue
		}
		end := plainScalar(b, v, k, base, fl)
		if end < 0 {
			if c == '{' {
				return i, n, k
			}
			break
		}
		*s |= k.bit
		i = end
	}
	return i, n, nil
}

// plainScalar is plainMembers for a value that is not a string: it reads
// the integer, boolean or decimal at b[v] that k's lane takes into the
// struct at base and returns the offset past it, or -1 for anything else.
func plainScalar(b []byte, v int, k *shapeKey, base unsafe.Pointer, fl *pool[float64]) int {
	p := unsafe.Add(base, k.off)
	switch k.lane {
	case laneSkip:
		return plainInt(b, v)
	case laneRaw:
		end := plainInt(b, v)
		if end >= 0 {
			*(*json.RawMessage)(p) = b[v:end]
		}
		return end
	case laneBool:
		end := plainBool(b, v)
		if end >= 0 {
			*(**bool)(p) = &boolFalse
			if b[v] == 't' {
				*(**bool)(p) = &boolTrue
			}
		}
		return end
	case laneFloat:
		x, end := exactDecimal(b, v)
		if end >= 0 {
			*(*float64)(p) = x
		}
		return end
	case laneFloatPtr:
		if fl.n == len(fl.items) {
			return -1
		}
		x, end := exactDecimal(b, v)
		if end >= 0 {
			fp := &fl.items[fl.n]
			fl.n++
			*fp = x
			*(**float64)(p) = fp
		}
		return end
	}
	return -1
}

// plainInt returns the offset past the integer at b[i] when it is written
// as JSON numbers mostly are, an optional minus and digits with no leading
// zero, and followed by a comma or a brace; -1 otherwise.
func plainInt(b []byte, i int) int {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	d := j
	for j < len(b) && '0' <= b[j] && b[j] <= '9' {
		j++
	}
	if j == d || b[d] == '0' && j > d+1 || j == len(b) || b[j] != ',' && b[j] != '}' {
		return -1
	}
	return j
}

// exactDecimal reads the number at b[i] when it is a plain decimal,
// -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most 15 digits, followed by a comma
// or a brace, and returns it and the offset past it; end is -1 for
// anything else. Its value is exactFloat's, bit for bit: the digits and
// the power of ten are exact float64s, so one division rounds correctly.
func exactDecimal(b []byte, i int) (v float64, end int) {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	var mant uint64
	d := j
	for ; j < len(b) && b[j]-'0' < 10; j++ {
		mant = mant*10 + uint64(b[j]-'0')
	}
	if j == d || b[d] == '0' && j > d+1 || j == len(b) {
		return 0, -1
	}
	digits, frac := j-d, 0
	if b[j] == '.' {
		f := j + 1
		for j = f; j < len(b) && b[j]-'0' < 10; j++ {
			mant = mant*10 + uint64(b[j]-'0')
		}
		if frac = j - f; frac == 0 || j == len(b) {
			return 0, -1
		}
	}
	if digits+frac > 15 || b[j] != ',' && b[j] != '}' {
		return 0, -1
	}
	v = float64(mant)
	if frac > 0 {
		v /= pow10[frac]
	}
	if b[i] == '-' {
		v = -v
	}
	return v, j
}

// plainBool returns the offset past the true or false at b[i], -1 if there
// is neither.
func plainBool(b []byte, i int) int {
	switch {
	case i+4 <= len(b) && string(b[i:i+4]) == "true":
		return i + 4
	case i+5 <= len(b) && string(b[i:i+5]) == "false":
		return i + 5
	}
	return -1
}
