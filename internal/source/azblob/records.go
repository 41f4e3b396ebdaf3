package azblob

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Shape is how a blob holds its records.
type Shape int

const (
	// ShapeUnknown: nothing complete enough to tell yet.
	ShapeUnknown Shape = iota
	// ShapeDocument: one JSON document {"records":[...]} that grows by
	// records inserted before its closing "]}" (NSG and VNet flow logs).
	ShapeDocument
	// ShapeLines: one JSON record per line, appended (diagnostic settings'
	// resource and activity logs since 2018-11).
	ShapeLines
	// ShapeWhole: anything else (CSV exports, gzip, a JSON array): read
	// whole, up to MaxReadBytes, again each time it changes.
	ShapeWhole
)

// errNotRecords means a blob is JSON but not a {"records":[...]} document.
var errNotRecords = errors.New(`not a {"records":[...]} document or JSON lines`)

// errResync means the bytes at the saved offset are not where a record
// ends: the blob was rewritten, and must be read whole.
var errResync = errors.New("blob rewritten before the saved offset")

// Cut is the complete records found in a window of a blob.
type Cut struct {
	Shape   Shape
	Records []json.RawMessage // complete records, in blob order
	// End is the window-relative offset just after the last complete
	// record (or after the opening "[" when there is none yet).
	End int64
}

// cutDocument finds the complete records of a {"records":[...]} window.
// At offset 0 the window starts at the document's start; otherwise just
// after a record already applied, where only a "," or the closing "]"
// may follow. A record cut off by the window's end stays for the next read.
func cutDocument(win []byte, atStart bool) (Cut, error) {
	c := Cut{Shape: ShapeDocument}
	pos := 0
	if atStart {
		n, err := documentHead(win)
		if err != nil || n == 0 {
			return c, err
		}
		pos, c.End = n, int64(n)
	}
	first := atStart
	for {
		p := skipSpace(win, pos)
		if p >= len(win) {
			return c, nil
		}
		switch {
		case win[p] == ']':
			return c, nil
		case win[p] == ',' && !first:
			p++
		case win[p] == '{' && first:
		default:
			if !atStart && pos == 0 {
				return c, errResync
			}
			return c, errors.New("records: expected , or ] between records")
		}
		first = false
		raw, n, complete := nextValue(win[p:])
		if !complete {
			return c, nil
		}
		c.Records = append(c.Records, raw)
		pos = p + n
		c.End = int64(pos)
	}
}

// documentHead returns the length of `{"records":[` (with any white
// space) at the start of win, 0 when win is too short to tell.
func documentHead(win []byte) (int, error) {
	dec := json.NewDecoder(bytes.NewReader(win))
	want := []func(json.Token) bool{
		func(t json.Token) bool { return t == json.Delim('{') },
		func(t json.Token) bool { s, ok := t.(string); return ok && s == "records" },
		func(t json.Token) bool { return t == json.Delim('[') },
	}
	for _, ok := range want {
		tok, err := dec.Token()
		if err != nil {
			var syn *json.SyntaxError
			if errors.As(err, &syn) {
				return 0, errNotRecords
			}
			return 0, nil // the window ends before the head does
		}
		if !ok(tok) {
			return 0, errNotRecords
		}
	}
	return int(dec.InputOffset()), nil
}

// nextValue decodes the JSON value at the start of b; complete is false
// when b ends inside it.
func nextValue(b []byte) (json.RawMessage, int, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, 0, false
	}
	return raw, int(dec.InputOffset()), true
}

// cutLines finds the complete lines of a JSON-lines window: a line
// without its newline yet stays for the next read. Blank lines count as
// no record.
func cutLines(win []byte) Cut {
	c := Cut{Shape: ShapeLines}
	for pos := 0; ; {
		i := bytes.IndexByte(win[pos:], '\n')
		if i < 0 {
			return c
		}
		line := bytes.TrimSpace(win[pos : pos+i])
		pos += i + 1
		c.End = int64(pos)
		if len(line) > 0 {
			c.Records = append(c.Records, json.RawMessage(line))
		}
	}
}

// sniffShape tells a blob's shape from its first bytes.
func sniffShape(head []byte) Shape {
	p := skipSpace(head, 0)
	if p >= len(head) {
		return ShapeUnknown
	}
	if head[p] != '{' {
		return ShapeWhole
	}
	switch n, err := documentHead(head); {
	case err != nil:
		return ShapeLines
	case n > 0:
		return ShapeDocument
	}
	return ShapeUnknown
}

// cutWindow finds the complete records in win, a window of a blob of shape
// starting at a record boundary (or at 0, atStart).
func cutWindow(shape Shape, win []byte, atStart bool) (Cut, error) {
	switch shape {
	case ShapeLines:
		return cutLines(win), nil
	case ShapeWhole:
		return Cut{Shape: ShapeWhole}, nil
	}
	return cutDocument(win, atStart)
}

func skipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r') {
		p++
	}
	return p
}

// document rebuilds the records as one {"records":[...]} document, the
// input the file parsers read.
func document(records []json.RawMessage) []byte {
	var b bytes.Buffer
	b.WriteString(`{"records":[`)
	for i, r := range records {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(r)
	}
	b.WriteString("]}\n")
	return b.Bytes()
}
