package normalize

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// A strict JSON lexer for the fast decoder (fastdecode.go). It accepts
// only what RFC 8259 allows and reports anything else as !ok: the fast
// decoder then leaves the record to the full decoder, which words the
// error. Being stricter than the full decoder is safe; being laxer is not.

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// specialBytes flags the bytes of x that end a run of plain string
// content: a quote, a backslash, a control (< 0x20) or a non-ASCII byte
// (>= 0x80). Each test is the classic zero-byte test, (y - c) &^ y &
// highs. Flipping bit 1 maps the quote (0x22) to 0x20 and the controls
// onto themselves, so y = x ^ 0x02.. is below 0x21 exactly for a quote or
// a control: one subtraction tests both. The backslash is ASCII, so y's
// high bits are x's, and the "&^ y" of both folds with the non-ASCII test
// x & highs into one "| x". Only the lowest flag is exact: a borrow may
// flag a byte above a flagged one, never one below.
func specialBytes(x uint64) uint64 {
	qc := (x ^ (0x02 * ones)) - 0x21*ones
	bs := (x ^ ('\\' * ones)) - ones
	return (qc | bs | x) & highs
}

// stringInfo describes a scanned string literal.
type stringInfo struct {
	end      int  // offset past the closing quote
	escaped  bool // holds backslash escapes
	nonASCII bool // holds bytes >= 0x80
}

// plainStringWords is plainString (plainstring_amd64.go,
// plainstring_other.go) eight bytes at a time: the first byte
// specialBytes flags is exact.
func plainStringWords(b []byte, i int) (end int, ok bool) {
	p := unsafe.Pointer(unsafe.SliceData(b))
	k := &specialWords
	for end = i + 1; end <= len(b)-8; end += 8 {
		x := binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(p, end))[:])
		qc, bs := (x^k[0])-k[1], (x^k[2])-k[3]
		if m := (qc | bs | x) & k[4]; m != 0 {
			end += bits.TrailingZeros64(m) >> 3
			return end + 1, *(*byte)(unsafe.Add(p, end)) == '"'
		}
	}
	return end, false
}

// specialWords are specialBytes' constants, which plainStringWords reads
// from memory: as constants, each would be loaded into a register for
// every word (TestPlainString).
var specialWords = [5]uint64{0x02 * ones, 0x21 * ones, '\\' * ones, ones, highs}

// scanString scans the string literal that opens at b[i]: plainString
// for the common case, then byte-wise runs between the special bytes.
func scanString(b []byte, i int) (s stringInfo, ok bool) {
	if end, ok := plainString(b, i); ok {
		return stringInfo{end: end}, true
	}
	j := i + 1
	for {
		j = plainRun(b, j)
		if j >= len(b) {
			return s, false
		}
		switch c := b[j]; {
		case c == '"':
			s.end = j + 1
			return s, true
		case c == '\\':
			n := escapeLen(b, j)
			if n == 0 {
				return s, false
			}
			s.escaped = true
			j += n
		case c < 0x20:
			return s, false
		case c >= 0x80:
			s.nonASCII = true
			j++
		default:
			j++
		}
	}
}

// plainRun returns the offset of the first byte at or after b[j] that
// specialBytes flags, or of the first of the last 7 bytes or fewer, which
// the caller looks at one by one. Two words per round: most strings are
// GUIDs, names and addresses of 10 to 40 bytes.
func plainRun(b []byte, j int) int {
	for j+16 <= len(b) {
		w := b[j : j+16]
		if m := specialBytes(binary.LittleEndian.Uint64(w)); m != 0 {
			return j + bits.TrailingZeros64(m)/8
		}
		if m := specialBytes(binary.LittleEndian.Uint64(w[8:])); m != 0 {
			return j + 8 + bits.TrailingZeros64(m)/8
		}
		j += 16
	}
	if j+8 <= len(b) {
		if m := specialBytes(binary.LittleEndian.Uint64(b[j:])); m != 0 {
			return j + bits.TrailingZeros64(m)/8
		}
		j += 8
	}
	return j
}

// escapeLen returns the length of the valid escape at b[j], or 0.
func escapeLen(b []byte, j int) int {
	if j+1 >= len(b) {
		return 0
	}
	switch b[j+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if j+6 > len(b) {
			return 0
		}
		for _, c := range b[j+2 : j+6] {
			if !isHex(c) {
				return 0
			}
		}
		return 6
	}
	return 0
}

// maxFastDepth bounds nesting; deeper records go to the full decoder.
const maxFastDepth = 64

// skipStrict returns the offset past the value at b[i] (no leading space).
func skipStrict(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		return skipStrictString(b, i)
	case c == '{':
		return skipObject(b, i, depth+1)
	case c == '[':
		return skipArray(b, i, depth+1)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '-' || '0' <= c && c <= '9':
		return number(b, i)
	}
	return i, false
}

// skipStrictString returns the offset past the string literal at b[i].
func skipStrictString(b []byte, i int) (int, bool) {
	if end, ok := plainString(b, i); ok {
		return end, true
	}
	s, ok := scanString(b, i)
	return s.end, ok
}

func literal(b []byte, i int, lit string) (int, bool) {
	end := i + len(lit)
	return end, end <= len(b) && string(b[i:end]) == lit
}

func skipObject(b []byte, i, depth int) (int, bool) {
	if depth > maxFastDepth {
		return i, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, false
		}
		end, ok := plainString(b, i)
		if !ok {
			if end, ok = skipStrictString(b, i); !ok {
				return i, false
			}
		}
		// A compact member with a plain string or a boolean value is
		// skipped here.
		c := byte(0)
		if end+1 < len(b) && b[end] == ':' {
			c = b[end+1]
		}
		switch c {
		case '"':
			if i, ok = plainString(b, end+1); !ok {
				i, ok = skipStrictString(b, end+1)
			}
		case 't':
			i, ok = literal(b, end+1, "true")
		case 'f':
			i, ok = literal(b, end+1, "false")
		default:
			if i, ok = colon(b, end); ok {
				i, ok = skipStrict(b, i, depth)
			}
		}
		if !ok {
			return i, false
		}
		if i+1 < len(b) && b[i] == ',' && b[i+1] == '"' {
			i++
			continue
		}
		var more bool
		if i, more, ok = next(b, i, '}'); !ok || !more {
			return i, ok
		}
	}
}

func skipArray(b []byte, i, depth int) (int, bool) {
	if depth > maxFastDepth {
		return i, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		var ok, more bool
		if i, ok = skipStrict(b, i, depth); !ok {
			return i, false
		}
		if i, more, ok = next(b, i, ']'); !ok || !more {
			return i, ok
		}
	}
}

// next reads the comma or closer after a member: more is true after a
// comma, with i at the next member.
func next(b []byte, i int, closer byte) (j int, more, ok bool) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return i, false, false
	}
	switch b[i] {
	case ',':
		return skipSpace(b, i+1), true, true
	case closer:
		return i + 1, false, true
	}
	return i, false, false
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func number(b []byte, i int) (int, bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}
