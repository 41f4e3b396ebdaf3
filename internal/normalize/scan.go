package normalize

import (
	"errors"
	"fmt"
)

// A small structural JSON scanner: it finds where values begin and end so
// that a document can be split into records (and the records before a
// break kept) without decoding it. Records themselves are validated by the
// decoder.

var (
	errTruncated = errors.New("unexpected end of JSON")
	errSyntax    = errors.New("invalid JSON")
)

// scanError says where the structure broke.
type scanError struct {
	Offset int
	Err    error
}

func (e *scanError) Error() string { return fmt.Sprintf("byte offset %d: %v", e.Offset, e.Err) }
func (e *scanError) Unwrap() error { return e.Err }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipValue returns the offset just past the JSON value that starts at
// b[i] (after optional white space).
func skipValue(b []byte, i int) (int, error) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return i, &scanError{i, errTruncated}
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		return skipNested(b, i)
	}
	return skipLiteral(b, i)
}

func skipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '\\':
			j++
		case c == '"':
			return j + 1, nil
		case c < 0x20:
			return j, &scanError{j, errSyntax}
		}
	}
	return len(b), &scanError{len(b), errTruncated}
}

// skipNested skips an object or array, checking that brackets match.
func skipNested(b []byte, i int) (int, error) {
	var stack [64]byte
	closers := stack[:0]
	for j := i; j < len(b); j++ {
		switch c := b[j]; c {
		case '"':
			end, err := skipString(b, j)
			if err != nil {
				return end, err
			}
			j = end - 1
		case '{':
			closers = append(closers, '}')
		case '[':
			closers = append(closers, ']')
		case '}', ']':
			if len(closers) == 0 || closers[len(closers)-1] != c {
				return j, &scanError{j, errSyntax}
			}
			closers = closers[:len(closers)-1]
			if len(closers) == 0 {
				return j + 1, nil
			}
		}
	}
	return len(b), &scanError{len(b), errTruncated}
}

func skipLiteral(b []byte, i int) (int, error) {
	j := i
	for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != ']' && b[j] != '}' {
		if b[j] == '{' || b[j] == '[' || b[j] == '"' || b[j] == ':' {
			return j, &scanError{j, errSyntax}
		}
		j++
	}
	if j == i {
		return j, &scanError{j, errSyntax}
	}
	return j, nil
}

// isComplete reports whether b holds exactly one JSON value (plus white
// space), and whether it broke off before its end.
func isComplete(b []byte) (complete, truncated bool) {
	end, err := skipValue(b, 0)
	if err != nil {
		return false, errors.Is(err, errTruncated)
	}
	return skipSpace(b, end) == len(b), false
}

// eachElement calls fn with each element of the array that starts at b[i].
// It stops at the first structural error and returns it with the index
// of the element that could not be delimited.
func eachElement(b []byte, i int, fn func(idx int, elem []byte) bool) (int, error) {
	i = skipSpace(b, i) + 1 // past '['
	for idx := 0; ; idx++ {
		i = skipSpace(b, i)
		if i < len(b) && b[i] == ']' && idx == 0 {
			return idx, nil
		}
		end, err := skipValue(b, i)
		if err != nil {
			return idx, err
		}
		if !fn(idx, b[i:end]) {
			return idx + 1, nil
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return idx + 1, &scanError{i, errTruncated}
		}
		switch b[i] {
		case ']':
			return idx + 1, nil
		case ',':
			i++
		default:
			return idx + 1, &scanError{i, errSyntax}
		}
	}
}

// envelopeArray finds the batch array of an object document: "records"
// (diagnostic settings), "Records" (CloudTrail) or "value" (REST and Graph
// pages). It returns the array's offset, or -1 when the object is a single
// record; a structural error before the array is returned as err.
func envelopeArray(b []byte, i int) (int, error) {
	i = skipSpace(b, i) + 1 // past '{'
	for {
		i = skipSpace(b, i)
		if i < len(b) && b[i] == '}' {
			return -1, nil
		}
		if i >= len(b) || b[i] != '"' {
			return -1, &scanError{i, errSyntax}
		}
		keyEnd, err := skipString(b, i)
		if err != nil {
			return -1, err
		}
		key := string(b[i+1 : keyEnd-1])
		i = skipSpace(b, keyEnd)
		if i >= len(b) || b[i] != ':' {
			return -1, &scanError{i, errSyntax}
		}
		i = skipSpace(b, i+1)
		if isEnvelopeKey(key) && i < len(b) && b[i] == '[' {
			return i, nil
		}
		if i, err = skipValue(b, i); err != nil {
			return -1, err
		}
		i = skipSpace(b, i)
		if i < len(b) && b[i] == ',' {
			i++
		}
	}
}

func isEnvelopeKey(k string) bool { return k == "records" || k == "Records" || k == "value" }
