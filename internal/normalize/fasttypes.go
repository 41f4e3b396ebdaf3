package normalize

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// The fast decoder's view of rawRecord and the types it contains, built
// once by reflection from the same json tags the full decoder reads, so
// the two cannot drift apart.

// fieldKind says how the fast decoder fills a field.
type fieldKind uint8

const (
	kString      fieldKind = iota // string
	kValueString                  // valueString
	kLocation                     // location
	kStatus                       // status
	kFlex                         // flex[T]
	kStruct                       // a plain struct, decoded in place
	kBoolPtr                      // *bool
	kFloat                        // float64
	kFloatPtr                     // *float64
	kRaw                          // json.RawMessage
	kMethod                       // another type with its own UnmarshalJSON: called on the value
	kOther                        // anything else: the full decoder decodes the value alone
)

// field is one JSON key of an object type.
type field struct {
	name string
	kind fieldKind
	off  uintptr
	ptr  bool         // a pointer to the kind, allocated when the key is present
	typ  reflect.Type // the field's type (the element type when ptr)
	obj  *objType     // kStruct, kFlex (T), kLocation (geoDetail), kStatus (statusObject)
	set  uintptr      // kFlex: offset of Set within the field
}

// maxFields bounds the fields of an object type: the decoder tracks the
// fields an object has set in two words.
const maxFields = 128

// objType is a struct type as the fast decoder sees it.
type objType struct {
	id     int
	fields []field
	byKey  map[string]int  // exact JSON key → index in fields
	folded map[string]bool // lower-cased keys: a key matching only case-insensitively is left to the full decoder
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	typeTables      = sync.OnceValue(buildTables)
)

// tables holds every object type reachable from rawRecord.
type tables struct {
	record *objType
	all    []*objType
	props  *objType // signInFields, which the fast decoder does not allocate
	coords *objType // latLon, which it takes from a pool
}

func buildTables() *tables {
	t := &tables{}
	byType := map[reflect.Type]*objType{}
	t.record = t.objectOf(reflect.TypeFor[rawRecord](), byType)
	t.props, t.coords = byType[reflect.TypeFor[signInFields]()], byType[reflect.TypeFor[latLon]()]
	return t
}

func (t *tables) objectOf(rt reflect.Type, byType map[reflect.Type]*objType) *objType {
	if o, ok := byType[rt]; ok {
		return o
	}
	o := &objType{id: len(t.all), byKey: map[string]int{}, folded: map[string]bool{}}
	byType[rt] = o
	t.all = append(t.all, o)
	fields := jsonFields(rt)
	if len(fields) > maxFields {
		panic("normalize: " + rt.String() + " has more JSON fields than the fast decoder tracks")
	}
	for _, f := range fields {
		t.classify(&f, byType)
		o.byKey[f.name] = len(o.fields)
		o.folded[strings.ToLower(f.name)] = true
		o.fields = append(o.fields, f)
	}
	return o
}

// jsonFields lists the JSON keys of a struct with their offsets. Fields of
// embedded structs are promoted unless a shallower field has the same key,
// as encoding/json and goccy do.
func jsonFields(rt reflect.Type) []field {
	var out []field
	seen := map[string]bool{}
	var walk func(rt reflect.Type, base uintptr)
	var embedded []func()
	walk = func(rt reflect.Type, base uintptr) {
		for i := range rt.NumField() {
			sf := rt.Field(i)
			if sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Tag.Get("json") == "" {
				embedded = append(embedded, func() { walk(sf.Type, base+sf.Offset) })
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if !sf.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if !seen[name] {
				seen[name] = true
				out = append(out, field{name: name, off: base + sf.Offset, typ: sf.Type})
			}
		}
	}
	walk(rt, 0)
	for len(embedded) > 0 {
		next := embedded
		embedded = nil
		for _, f := range next {
			f()
		}
	}
	return out
}

// classify sets the kind of f from its type. Pointers to structs the fast
// decoder handles are allocated by it (ptr); others go to the full decoder.
func (t *tables) classify(f *field, byType map[reflect.Type]*objType) {
	switch f.typ {
	case reflect.TypeFor[*bool]():
		f.kind = kBoolPtr
		return
	case reflect.TypeFor[*float64]():
		f.kind = kFloatPtr
		return
	}
	rt := f.typ
	if rt.Kind() == reflect.Pointer && rt.Elem().Kind() == reflect.Struct {
		rt = rt.Elem()
	}
	kind, obj, set := t.kindOf(rt, byType)
	switch {
	case rt == f.typ:
		f.kind, f.obj, f.set = kind, obj, set
	case kind == kStruct || kind == kStatus || kind == kLocation:
		f.kind, f.obj, f.typ, f.ptr = kind, obj, rt, true
	default:
		f.kind = kOther
	}
}

func (t *tables) kindOf(rt reflect.Type, byType map[reflect.Type]*objType) (fieldKind, *objType, uintptr) {
	custom := reflect.PointerTo(rt).Implements(unmarshalerType)
	switch {
	case rt == reflect.TypeFor[string]():
		return kString, nil, 0
	case rt == reflect.TypeFor[valueString]():
		return kValueString, nil, 0
	case rt == reflect.TypeFor[location]():
		return kLocation, t.objectOf(reflect.TypeFor[geoDetail](), byType), 0
	case rt == reflect.TypeFor[status]():
		return kStatus, t.objectOf(reflect.TypeFor[statusObject](), byType), 0
	case rt == reflect.TypeFor[json.RawMessage]():
		return kRaw, nil, 0
	case rt == reflect.TypeFor[float64]():
		return kFloat, nil, 0
	case custom && rt.Kind() == reflect.Struct && strings.HasPrefix(rt.Name(), "flex["):
		return kFlex, t.objectOf(rt.Field(0).Type, byType), rt.Field(1).Offset
	case custom:
		return kMethod, nil, 0
	case rt.Kind() == reflect.Struct:
		return kStruct, t.objectOf(rt, byType), 0
	}
	return kOther, nil, 0
}
