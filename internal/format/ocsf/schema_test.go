package ocsf

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// schemaDir holds the definitions vendored from github.com/ocsf/ocsf-schema
// at the v1.8.0 release commit 3dcb905d26523ce4d5d0ba3c28c8507e2c859407
// (Apache-2.0, LICENSE beside them): the dictionary, the detection_finding
// class with the classes it extends, and the objects Vedette fills.
const schemaDir = "testdata/ocsf-schema-1.8.0"

type attrDef struct {
	Type        string                     `json:"type"`
	IsArray     bool                       `json:"is_array"`
	Requirement string                     `json:"requirement"`
	Enum        map[string]json.RawMessage `json:"enum"`
	Deprecated  json.RawMessage            `json:"@deprecated"`
	Observable  int                        `json:"observable"`
}

type defFile struct {
	Name       string                     `json:"name"`
	UID        int                        `json:"uid"`
	Extends    string                     `json:"extends"`
	Observable int                        `json:"observable"`
	Attributes map[string]json.RawMessage `json:"attributes"`
}

type schema struct {
	dict        map[string]attrDef
	types       map[string]attrDef
	observables map[string]bool // the values observable.type_id may take
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(schemaDir, path))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func loadSchema(t *testing.T) *schema {
	var d struct {
		Attributes map[string]attrDef `json:"attributes"`
		Types      struct {
			Attributes map[string]attrDef `json:"attributes"`
		} `json:"types"`
	}
	readJSON(t, "dictionary.json", &d)
	s := &schema{dict: d.Attributes, types: d.Types.Attributes, observables: map[string]bool{"0": true, "99": true}}
	// The server derives observable type IDs from every "observable" mark.
	for _, m := range []map[string]attrDef{d.Attributes, d.Types.Attributes} {
		for _, a := range m {
			if a.Observable != 0 {
				s.observables[strconv.Itoa(a.Observable)] = true
			}
		}
	}
	entries, _ := os.ReadDir(filepath.Join(schemaDir, "objects"))
	for _, e := range entries {
		var f defFile
		readJSON(t, "objects/"+e.Name(), &f)
		if f.Observable != 0 {
			s.observables[strconv.Itoa(f.Observable)] = true
		}
	}
	return s
}

// resolve merges a definition with those it extends: the attribute set and,
// per attribute, the overrides (requirement, enum, type) nearest the leaf.
func resolve(t *testing.T, path func(string) string, name string) map[string]attrDef {
	var f defFile
	readJSON(t, path(name), &f)
	out := map[string]attrDef{}
	if f.Extends != "" && f.Extends != "object" {
		out = resolve(t, path, f.Extends)
	}
	for k, raw := range f.Attributes {
		if strings.HasPrefix(k, "$") {
			continue // profile includes: Vedette applies no profile
		}
		var over attrDef
		if err := json.Unmarshal(raw, &over); err != nil {
			t.Fatalf("%s.%s: %v", name, k, err)
		}
		base := out[k]
		if over.Type != "" {
			base.Type = over.Type
		}
		if over.Requirement != "" {
			base.Requirement = over.Requirement
		}
		if over.Enum != nil {
			base.Enum = merge(base.Enum, over.Enum)
		}
		base.Deprecated = cmpOr(over.Deprecated, base.Deprecated)
		out[k] = base
	}
	return out
}

func merge(a, b map[string]json.RawMessage) map[string]json.RawMessage {
	out := maps.Clone(a)
	if out == nil {
		out = map[string]json.RawMessage{}
	}
	maps.Copy(out, b)
	return out
}

func cmpOr(a, b json.RawMessage) json.RawMessage {
	if len(a) > 0 {
		return a
	}
	return b
}

// resolveClass resolves a class and, as the schema server does, gives
// category_uid, class_uid and type_uid the values this class defines: its
// category's uid, category*1000+uid, class_uid*100+activity_id.
func resolveClass(t *testing.T, name string) map[string]attrDef {
	attrs := resolve(t, classPath, name)
	var f, parent struct {
		UID      int
		Category string
		Extends  string
	}
	readJSON(t, classPath(name), &f)
	for p := f.Extends; f.Category == "" && p != ""; p = parent.Extends {
		readJSON(t, classPath(p), &parent)
		f.Category = parent.Category
	}
	var cats struct {
		Attributes map[string]struct{ UID int }
	}
	readJSON(t, "categories.json", &cats)
	cat, ok := cats.Attributes[f.Category]
	if !ok {
		t.Fatalf("class %s: category %q not in categories.json", name, f.Category)
	}
	one := func(n int) map[string]json.RawMessage { return map[string]json.RawMessage{strconv.Itoa(n): nil} }
	class := cat.UID*1000 + f.UID
	set := func(k string, enum map[string]json.RawMessage) {
		a := attrs[k]
		a.Enum = enum
		attrs[k] = a
	}
	set("category_uid", one(cat.UID))
	set("class_uid", one(class))
	types := map[string]json.RawMessage{}
	for id := range attrs["activity_id"].Enum {
		n, _ := strconv.Atoi(id)
		types[strconv.Itoa(class*100+n)] = nil
	}
	set("type_uid", types)
	return attrs
}

func classPath(name string) string {
	if name == "base_event" {
		return "events/base_event.json"
	}
	return "events/findings/" + name + ".json"
}

func objectPath(name string) string { return "objects/" + name + ".json" }

// validate checks v, an instance of the class or object whose resolved
// attributes are attrs, and returns every violation found.
func (s *schema) validate(t *testing.T, where string, attrs map[string]attrDef, v map[string]any) []string {
	var errs []string
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if attrs[k].Requirement == "required" && v[k] == nil {
			errs = append(errs, fmt.Sprintf("%s: required attribute %s missing", where, k))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		over, ok := attrs[k]
		dict, inDict := s.dict[k]
		if !ok || !inDict {
			errs = append(errs, fmt.Sprintf("%s: attribute %s not in the class/object or dictionary", where, k))
			continue
		}
		def := dict
		if over.Type != "" {
			def.Type = over.Type
		}
		def.Enum = merge(dict.Enum, over.Enum)
		if k == "category_uid" || k == "class_uid" || k == "type_uid" {
			def.Enum = over.Enum // the class's own values replace the base event's
		}
		if len(cmpOr(over.Deprecated, dict.Deprecated)) > 0 {
			errs = append(errs, fmt.Sprintf("%s.%s: deprecated", where, k))
		}
		errs = append(errs, s.value(t, where+"."+k, def, v[k])...)
	}
	return errs
}

func (s *schema) value(t *testing.T, where string, def attrDef, v any) []string {
	if def.IsArray {
		arr, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an array, got %T", where, v)}
		}
		var errs []string
		one := def
		one.IsArray = false
		for i, x := range arr {
			errs = append(errs, s.value(t, fmt.Sprintf("%s[%d]", where, i), one, x)...)
		}
		return errs
	}
	if len(def.Enum) > 0 {
		return s.enum(where, def, v)
	}
	return s.typed(t, where, def, v)
}

func (s *schema) enum(where string, def attrDef, v any) []string {
	n, ok := v.(float64)
	if !ok || n != float64(int64(n)) {
		return []string{fmt.Sprintf("%s: enum value %v is not an integer", where, v)}
	}
	key := strconv.FormatInt(int64(n), 10)
	allowed := def.Enum
	if strings.Contains(where, "observables[") { // derived enum, see loadSchema
		if s.observables[key] {
			return nil
		}
	} else if _, ok := allowed[key]; ok {
		return nil
	}
	return []string{fmt.Sprintf("%s: %s is not a defined enum value", where, key)}
}

func (s *schema) typed(t *testing.T, where string, def attrDef, v any) []string {
	base := def.Type
	if td, ok := s.types[base]; ok && td.Type != "" {
		base = td.Type
	}
	want := map[string]func(any) bool{
		"string_t":  func(x any) bool { _, ok := x.(string); return ok },
		"integer_t": isInt, "long_t": isInt, "timestamp_t": isInt,
		"float_t":   func(x any) bool { _, ok := x.(float64); return ok },
		"boolean_t": func(x any) bool { _, ok := x.(bool); return ok },
		"json_t":    func(any) bool { return true },
		"object":    func(x any) bool { _, ok := x.(map[string]any); return ok },
	}[base]
	if want != nil {
		if !want(v) {
			return []string{fmt.Sprintf("%s: %v is not a %s", where, v, def.Type)}
		}
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: want object %s, got %T", where, def.Type, v)}
	}
	if _, err := os.Stat(filepath.Join(schemaDir, objectPath(def.Type))); err != nil {
		t.Fatalf("%s: object %s is not vendored", where, def.Type)
	}
	return s.validate(t, where, resolve(t, objectPath, def.Type), obj)
}

func isInt(x any) bool { n, ok := x.(float64); return ok && n == float64(int64(n)) }
