package normalize

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// The types below absorb fields whose JSON type differs between record
// shapes, so that one struct decodes them all without type errors.

// valueString is a plain string ("operationName": "x") or a REST-style
// localizable value ("operationName": {"value": "x", "localizedValue": ...}).
type valueString string

func (v *valueString) UnmarshalJSON(b []byte) error {
	switch firstByte(b) {
	case '"':
		s, err := unquote(b)
		*v = valueString(s)
		return err
	case '{':
		var o struct {
			Value string `json:"value"`
		}
		err := decodeJSON(b, &o)
		*v = valueString(o.Value)
		return err
	}
	return nil
}

// flex holds an object that some sources embed as a JSON string (Log
// Analytics exports of dynamic columns). Other types are ignored.
type flex[T any] struct {
	V   T
	Set bool
}

func (f *flex[T]) UnmarshalJSON(b []byte) error {
	set, err := decodeEmbedded(b, '{', &f.V)
	f.Set = f.Set || set
	return err
}

// decodeString decodes a JSON document held in a string; empty strings and
// strings that are not objects leave f unset.
func (f *flex[T]) decodeString(s string) error {
	set, err := decodeEmbeddedString(s, '{', &f.V)
	f.Set = f.Set || set
	return err
}

// decodeEmbedded decodes b into dst when b is the JSON value that opens
// with open, or a string holding one; other values leave dst alone. set
// reports whether dst was decoded into.
func decodeEmbedded(b []byte, open byte, dst any) (set bool, err error) {
	switch firstByte(b) {
	case open:
		return true, decodeJSON(b, dst)
	case '"':
		s, err := unquote(b)
		if err != nil {
			return false, err
		}
		return decodeEmbeddedString(s, open, dst)
	}
	return false, nil
}

// decodeEmbeddedString decodes a JSON value held in a string when it opens
// with open; empty strings and other values leave dst alone.
func decodeEmbeddedString(s string, open byte, dst any) (set bool, err error) {
	s = trimSpace(s)
	if s == "" || s[0] != open {
		return false, nil
	}
	return true, decodeJSON([]byte(s), dst)
}

// flexList holds an array that some sources embed as a JSON string (Log
// Analytics exports of dynamic columns). Other types are ignored.
type flexList[T any] struct {
	V []T
}

func (f *flexList[T]) UnmarshalJSON(b []byte) error {
	_, err := decodeEmbedded(b, '[', &f.V)
	return err
}

// decodeString decodes a JSON array held in a string; empty strings and
// strings that are not arrays leave f empty.
func (f *flexList[T]) decodeString(s string) error {
	_, err := decodeEmbeddedString(s, '[', &f.V)
	return err
}

// ignored skips a value of any type.
type ignored struct{}

func (ignored) UnmarshalJSON([]byte) error { return nil }

// envelope notes that a record is in fact a batch: {"records": [...]}.
type envelope bool

func (e *envelope) UnmarshalJSON(b []byte) error {
	*e = firstByte(b) == '['
	return nil
}

// location is a country code (diagnostic envelope "location": "US", Log
// Analytics "Location": "US") or a sign-in location object.
type location struct {
	Country string
	Detail  geoDetail
}

func (l *location) UnmarshalJSON(b []byte) error {
	switch firstByte(b) {
	case '"':
		s, err := unquote(b)
		l.Country = s
		return err
	case '{':
		return decodeJSON(b, &l.Detail)
	}
	return nil
}

// status is a sign-in status {"errorCode": 0}, an ARM REST status
// {"value": "Succeeded"}, or a plain string (ARM service-health properties).
type status struct {
	Value     string
	ErrorCode string
	HasCode   bool
}

func (s *status) UnmarshalJSON(b []byte) error {
	switch firstByte(b) {
	case '"':
		v, err := unquote(b)
		s.Value = v
		return err
	case '{':
		var o statusObject
		if err := decodeJSON(b, &o); err != nil {
			return err
		}
		return s.set(&o)
	}
	return nil
}

// statusObject is a status in object form.
type statusObject struct {
	Value     string          `json:"value"`
	ErrorCode json.RawMessage `json:"errorCode"`
}

func (s *status) set(o *statusObject) error {
	s.Value = o.Value
	return s.setCode(o.ErrorCode)
}

func (s *status) setCode(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	switch firstByte(raw) {
	case 0, 'n':
		return nil
	case '"':
		v, err := unquote(raw)
		s.ErrorCode, s.HasCode = v, v != ""
		return err
	}
	if isSmallInt(raw) {
		s.ErrorCode, s.HasCode = string(raw), true
		return nil
	}
	if _, err := strconv.ParseInt(string(raw), 10, 64); err != nil {
		return &json.UnmarshalTypeError{Value: "errorCode " + string(raw), Field: "status.errorCode"}
	}
	s.ErrorCode, s.HasCode = string(raw), true
	return nil
}

// isSmallInt reports whether b is a decimal integer that strconv.ParseInt
// takes for certain: an optional minus and 1 to 18 digits.
func isSmallInt(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func firstByte(b []byte) byte {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

// unquote decodes a JSON string literal, fast when it has no escapes.
func unquote(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && bytes.IndexByte(b[1:len(b)-1], '\\') < 0 && bytes.IndexByte(b[1:len(b)-1], '"') < 0 {
		return string(b[1 : len(b)-1]), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

func trimSpace(s string) string {
	for s != "" && isSpace(s[0]) {
		s = s[1:]
	}
	for s != "" && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isSpace(c byte) bool { return c <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\r') }
