package config

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Bounds every numeric setting must respect whatever it means, so that no
// value can overflow the arithmetic that uses it: a window of 876000h
// wraps day counts, a cap of 9.2e18 wraps sizes. Settings with a tighter
// meaning are checked again by their section's own validation.
const (
	// MaxDuration bounds every duration: ten years.
	MaxDuration = 10 * 365 * 24 * time.Hour
	// MaxCount bounds every integer setting (counts, caps, sizes).
	MaxCount = 1 << 31
	// MaxFloat bounds every real-valued setting (speeds, distances, ratios).
	MaxFloat = 1e9
)

var (
	durationType = reflect.TypeFor[time.Duration]()
	nodeType     = reflect.TypeFor[yaml.Node]() // overrides: checked once decoded
)

// checkRanges walks v (a struct) and reports every numeric setting, under
// its YAML path, outside [0, its bound].
func checkRanges(where string, v reflect.Value) []error {
	var errs []error
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == nodeType {
			return nil
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, inline, skip := yamlName(f)
			if skip || !f.IsExported() {
				continue
			}
			path := where
			if !inline {
				path = join(where, name)
			}
			errs = append(errs, checkRanges(path, v.Field(i))...)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			errs = append(errs, checkRanges(fmt.Sprintf("%s[%d]", where, i), v.Index(i))...)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			errs = append(errs, checkRanges(fmt.Sprintf("%s[%v]", where, k), v.MapIndex(k))...)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			errs = append(errs, checkRanges(where, v.Elem())...)
		}
	default:
		if err := checkNumber(where, v); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func checkNumber(where string, v reflect.Value) error {
	switch {
	case v.Type() == durationType:
		if d := time.Duration(v.Int()); d < 0 || d > MaxDuration {
			return fmt.Errorf("%s: %s is outside [0, %s]", where, FormatDuration(d), FormatDuration(MaxDuration))
		}
	case v.CanInt():
		if n := v.Int(); n < 0 || n > MaxCount {
			return fmt.Errorf("%s: %d is outside [0, %d]", where, n, int64(MaxCount))
		}
	case v.CanUint():
		if n := v.Uint(); n > MaxCount {
			return fmt.Errorf("%s: %d is outside [0, %d]", where, n, int64(MaxCount))
		}
	case v.CanFloat():
		if f := v.Float(); math.IsNaN(f) || f < 0 || f > MaxFloat {
			return fmt.Errorf("%s: %g is outside [0, %g]", where, f, MaxFloat)
		}
	}
	return nil
}

// yamlName is the key of a struct field, whether it is inlined, and
// whether YAML skips it.
func yamlName(f reflect.StructField) (name string, inline, skip bool) {
	tag := f.Tag.Get("yaml")
	if tag == "-" {
		return "", false, true
	}
	name, opts, _ := strings.Cut(tag, ",")
	inline = strings.Contains(opts, "inline") || (f.Anonymous && name == "")
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name, inline, false
}

func join(where, name string) string {
	if where == "" {
		return name
	}
	return where + "." + name
}

// FormatDuration writes d as a configuration file would: 720h, 90m, 1h30m,
// 10s, 0s.
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
