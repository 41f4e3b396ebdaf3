package normalize

import (
	"encoding/json"
	"reflect"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// fastDecoder decodes a record into rawRecord without the full decoder's
// double pass over custom-typed fields and without copying strings: they
// are borrowed from the record's bytes (see reader.own, which copies what
// an event keeps). It handles the shapes of real feeds (diagnostic-settings
// sign-ins and ARM records, Graph, most Log Analytics rows) and gives up,
// leaving the record to the full decoder, on anything whose outcome it
// cannot vouch for: invalid or odd JSON, a null, a value of an unexpected
// JSON type, a key that matches a field only case-insensitively, a key
// repeated. So a record it accepts decodes exactly as the full decoder
// would decode it (FuzzFastDecode checks this).
type fastDecoder struct {
	t      *tables
	shapes [][]shapeSlot     // per object type: its keys in the order the last two shapes of such objects had them
	names  map[string]string // key names met, so that a shape change allocates nothing
	status statusObject      // scratch for status objects
	props  signInFields      // scratch for the one "properties" object of a record
	locs   pool[location]    // what a record's *location fields point to
	stats  pool[status]      // what a record's *status fields point to
	coords pool[latLon]      // what a record's *latLon fields point to
	floats pool[float64]     // what a record's *float64 fields point to
}

// pool hands out the structs a record's pointer fields point to, reused
// from record to record as props is: nothing of a decoded rawRecord
// outlives the record (events copy what they keep), so one record's
// structs are free again when the next one is decoded. A record with more
// of them than the pool holds gets the rest from the heap.
type pool[T any] struct {
	items [4]T
	n     int
}

func (p *pool[T]) get() *T {
	if p.n == len(p.items) {
		return new(T)
	}
	v := &p.items[p.n]
	p.n++
	var zero T
	*v = zero
	return v
}

const maxNames = 4096

// maxShapeKeys is how many key positions of an object type a decoder
// remembers: real records have well under a hundred members an object,
// and a hostile object of a million members must not leave a slot (about
// 256 bytes) per member behind in a long-lived decoder. Keys past it are
// looked up each time.
const maxShapeKeys = 256

var boolTrue, boolFalse = true, false

func newFastDecoder() *fastDecoder {
	t := typeTables()
	return &fastDecoder{t: t, shapes: make([][]shapeSlot, len(t.all)), names: map[string]string{}}
}

// decode fills the zero r from raw and reports whether it could.
func (d *fastDecoder) decode(raw []byte, r *rawRecord) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	d.locs.n, d.stats.n, d.coords.n, d.floats.n = 0, 0, 0, 0
	end, ok := d.object(raw, i, d.t.record, unsafe.Pointer(r), 1)
	return ok && skipSpace(raw, end) == len(raw)
}

// object decodes the object at b[i] into the struct at base.
func (d *fastDecoder) object(b []byte, i int, o *objType, base unsafe.Pointer, depth int) (int, bool) {
	if depth > maxFastDepth {
		return i, false
	}
	var seen [2]uint64 // the fields set, for duplicate keys
	for n := 0; ; n++ {
		var k *shapeKey
		var ok, more bool
		if i, n, k = plainMembers(b, i, n, d.shapes[o.id], base, &seen, &d.floats); k != nil {
			if i, ok = d.memberValue(b, i+2+k.end, k.idx, o, base, depth, &seen); !ok {
				return i, false
			}
			continue
		}
		if n == 0 {
			if i = skipSpace(b, i+1); i < len(b) && b[i] == '}' {
				return i + 1, true
			}
		} else if i, more, ok = next(b, i, '}'); !ok || !more {
			return i, ok
		}
		if i, ok = d.member(b, i, n, o, base, depth, &seen); !ok {
			return i, false
		}
	}
}

// member decodes the n-th member of an object, whose key opens at b[i],
// into the struct at base, and returns the offset past its value.
func (d *fastDecoder) member(b []byte, i, n int, o *objType, base unsafe.Pointer, depth int, seen *[2]uint64) (int, bool) {
	idx, end, ok := d.keyAt(b, i, o, n)
	if !ok {
		return i, false
	}
	if i, ok = colon(b, end); !ok {
		return i, false
	}
	if idx >= 0 && seen[idx>>6]&(1<<(idx&63)) != 0 {
		return i, false
	}
	return d.memberValue(b, i, idx, o, base, depth, seen)
}

// memberValue decodes the value at b[i] of a member whose key is the
// field idx (-1 for none) and not a duplicate, and marks the field seen.
func (d *fastDecoder) memberValue(b []byte, i, idx int, o *objType, base unsafe.Pointer, depth int, seen *[2]uint64) (int, bool) {
	if idx < 0 {
		return skipStrict(b, i, depth)
	}
	seen[idx>>6] |= 1 << (idx & 63)
	f := &o.fields[idx]
	return d.value(b, i, f, unsafe.Add(base, f.off), depth)
}

// colon reads the colon after a key, the literal that ends before b[i],
// and returns the offset of the value.
func colon(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != ':' {
		if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
			return i, false
		}
	}
	return skipSpace(b, i+1), true
}

// keyAt reads the n-th key of an object, the string literal at b[i], and
// returns its field and the offset past it. The key is most often one of
// the two the last shapes of objects of the type had there (feeds
// alternate between a few shapes: an ARM operation's Start and Success
// records); one met here for the first time is vetted by scanString.
func (d *fastDecoder) keyAt(b []byte, i int, o *objType, n int) (idx, end int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return -1, i, false
	}
	if sh := d.shapes[o.id]; n < len(sh) {
		s := &sh[n]
		if end, ok := s[0].at(b, i); ok {
			return s[0].idx, end, true
		}
		if end, ok := s[1].at(b, i); ok {
			s[0], s[1] = s[1], s[0]
			return s[0].idx, end, true
		}
	}
	return d.key(b, i, o, n)
}

// key reads the n-th key of an object, the string literal at b[i], that
// keyAt did not find, and returns its field and the offset past it.
func (d *fastDecoder) key(b []byte, i int, o *objType, n int) (idx, end int, ok bool) {
	s, ok := scanString(b, i)
	if !ok || s.escaped || s.nonASCII {
		return -1, i, false
	}
	idx, ok = d.field(o, n, b[i+1:s.end-1])
	return idx, s.end, ok
}

// field finds the field of the n-th key of an object, one that is not
// where the last objects of the type had it, and remembers it there
// (the older of the two keys remembered there is forgotten); ok is false
// for a key the full decoder must judge.
func (d *fastDecoder) field(o *objType, n int, key []byte) (idx int, ok bool) {
	sh := d.shapes[o.id]
	idx, ok = o.lookup(key)
	if !ok || n > len(sh) || n >= maxShapeKeys {
		return idx, ok
	}
	var f *field
	if idx >= 0 {
		f = &o.fields[idx]
	}
	e := newShapeKey(d.name(key), n, idx, f)
	if n == len(sh) {
		d.shapes[o.id] = append(sh, shapeSlot{e})
	} else {
		sh[n] = shapeSlot{e, sh[n][0]}
	}
	return idx, true
}

func (d *fastDecoder) name(key []byte) string {
	if s, ok := d.names[string(key)]; ok {
		return s
	}
	s := string(key)
	if len(d.names) < maxNames {
		d.names[s] = s
	}
	return s
}

// lookup finds the field of key. A key that matches no field exactly but
// one case-insensitively is not ok: decoders differ on those.
func (o *objType) lookup(key []byte) (int, bool) {
	if idx, ok := o.byKey[string(key)]; ok {
		return idx, true
	}
	var buf [128]byte
	if len(key) > len(buf) {
		return -1, true // longer than any field name
	}
	lower := buf[:len(key)]
	for j, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[j] = c
	}
	return -1, !o.folded[string(lower)]
}

// value decodes the value at b[i] into the field f at p. A value of a
// JSON type the field's kind does not take is left to the full decoder.
func (d *fastDecoder) value(b []byte, i int, f *field, p unsafe.Pointer, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; f.kind {
	case kString, kValueString:
		if c == '"' {
			return borrowString(b, i, (*string)(p))
		}
		if f.kind == kValueString && c == '{' {
			return callMethod(b, i, depth, (*valueString)(p))
		}
	case kStruct, kFlex:
		return d.structValue(b, i, f, p, depth)
	case kLocation, kStatus:
		if c == '"' || c == '{' {
			return d.unionValue(b, i, f, p, depth)
		}
	case kBoolPtr:
		if c == 't' || c == 'f' {
			v := &boolTrue
			if c == 'f' {
				v = &boolFalse
			}
			*(**bool)(p) = v
			return literal(b, i, strconv.FormatBool(*v))
		}
	case kFloat, kFloatPtr:
		if c == '-' || '0' <= c && c <= '9' {
			return d.parseFloat(b, i, f, p)
		}
	case kRaw:
		if c != 'n' {
			end, ok := skipStrict(b, i, depth)
			if ok {
				*(*json.RawMessage)(p) = b[i:end]
			}
			return end, ok
		}
	case kMethod:
		if c != 'n' {
			return callMethod(b, i, depth, reflect.NewAt(f.typ, p).Interface().(json.Unmarshaler))
		}
	case kOther:
		if c != 'n' {
			end, ok := skipStrict(b, i, depth)
			return end, ok && decodeJSON(b[i:end], reflect.NewAt(f.typ, p).Interface()) == nil
		}
	}
	return i, false
}

// structValue decodes an object (or, for a flex field, a string) into
// the struct field f at p.
func (d *fastDecoder) structValue(b []byte, i int, f *field, p unsafe.Pointer, depth int) (int, bool) {
	switch c := b[i]; {
	case c == '{' && f.kind == kStruct:
		if f.ptr {
			p = d.alloc(f, p)
		}
		return d.object(b, i, f.obj, p, depth+1)
	case c == '{':
		*(*bool)(unsafe.Add(p, f.set)) = true
		return d.object(b, i, f.obj, p, depth+1)
	case c == '"' && f.kind == kFlex:
		return flexString(b, i, f, p)
	}
	return i, false
}

// unionValue decodes a string or an object into the location or status
// field f at p.
func (d *fastDecoder) unionValue(b []byte, i int, f *field, p unsafe.Pointer, depth int) (int, bool) {
	if f.kind == kLocation {
		if f.ptr {
			l := d.locs.get()
			*(**location)(p) = l
			p = unsafe.Pointer(l)
		}
		return d.location(b, i, f, (*location)(p), depth)
	}
	if f.ptr {
		s := d.stats.get()
		*(**status)(p) = s
		p = unsafe.Pointer(s)
	}
	return d.statusValue(b, i, f, (*status)(p), depth)
}

// alloc points the struct pointer at p to a new zero struct. A record's
// properties, its one pointer to a signInFields, reuse the decoder's, and
// coordinates come from its pool.
func (d *fastDecoder) alloc(f *field, p unsafe.Pointer) unsafe.Pointer {
	var v unsafe.Pointer
	switch f.obj { // the object types, not the reflect.Types: comparing those costs a call
	case d.t.props:
		d.props = signInFields{}
		v = unsafe.Pointer(&d.props)
	case d.t.coords:
		v = unsafe.Pointer(d.coords.get())
	default:
		v = reflect.New(f.typ).UnsafePointer()
	}
	*(*unsafe.Pointer)(p) = v
	return v
}

// borrowString sets *dst to the string literal at b[i], pointing into b
// when it has no escapes.
func borrowString(b []byte, i int, dst *string) (int, bool) {
	s, ok := scanString(b, i)
	switch {
	case !ok:
		return s.end, false
	case s.escaped:
		return s.end, decodeJSON(b[i:s.end], dst) == nil
	case s.nonASCII && !utf8.Valid(b[i+1:s.end-1]):
		return s.end, false // decoders differ on invalid UTF-8
	case s.end-i > 2:
		*dst = unsafe.String(&b[i+1], s.end-i-2)
	}
	return s.end, true
}

// flexString handles a flex field holding a string: a JSON document in a
// string is left to the flex type itself, anything else leaves it unset.
func flexString(b []byte, i int, f *field, p unsafe.Pointer) (int, bool) {
	s, ok := scanString(b, i)
	if !ok {
		return s.end, false
	}
	lit := b[i:s.end]
	if !s.escaped {
		content := trimSpace(unsafe.String(&lit[0], len(lit))[1 : len(lit)-1])
		if content == "" || content[0] != '{' {
			return s.end, true
		}
	}
	return s.end, reflect.NewAt(f.typ, p).Interface().(json.Unmarshaler).UnmarshalJSON(lit) == nil
}

func (d *fastDecoder) location(b []byte, i int, f *field, l *location, depth int) (int, bool) {
	if b[i] == '{' {
		return d.object(b, i, f.obj, unsafe.Pointer(&l.Detail), depth+1)
	}
	s, ok := scanString(b, i)
	if !ok || s.escaped {
		return callMethod(b, i, depth, l)
	}
	return borrowString(b, i, &l.Country)
}

func (d *fastDecoder) statusValue(b []byte, i int, f *field, s *status, depth int) (int, bool) {
	if b[i] == '"' {
		if str, ok := scanString(b, i); !ok || str.escaped {
			return callMethod(b, i, depth, s)
		}
		return borrowString(b, i, &s.Value)
	}
	o := &d.status
	*o = statusObject{}
	end, ok := d.object(b, i, f.obj, unsafe.Pointer(o), depth+1)
	if !ok {
		return end, false
	}
	if code := o.ErrorCode; isSmallInt(code) {
		// What setCode would make of it, borrowed as the other strings are.
		s.Value, s.ErrorCode, s.HasCode = o.Value, unsafe.String(&code[0], len(code)), true
		return end, true
	}
	return end, s.set(o) == nil
}

func (d *fastDecoder) parseFloat(b []byte, i int, f *field, p unsafe.Pointer) (int, bool) {
	end, ok := number(b, i)
	if !ok {
		return end, false
	}
	v, exact := exactFloat(b[i:end])
	if !exact {
		var err error
		if v, err = strconv.ParseFloat(unsafe.String(&b[i], end-i), 64); err != nil {
			return end, false
		}
	}
	if f.kind == kFloatPtr {
		fp := d.floats.get()
		*fp = v
		*(**float64)(p) = fp
	} else {
		*(*float64)(p) = v
	}
	return end, true
}

// callMethod validates the value at b[i] and hands it to u, as the full
// decoder does for types with their own UnmarshalJSON.
func callMethod(b []byte, i, depth int, u json.Unmarshaler) (int, bool) {
	end, ok := skipStrict(b, i, depth)
	return end, ok && u.UnmarshalJSON(b[i:end]) == nil
}
