package normalize

import (
	"bytes"
	"fmt"
)

// MaxLine bounds one JSON line or CSV row: a caller that splits a source
// into chunks itself skips longer lines as Read does (LineDecoder.Decode's
// tooLong).
const MaxLine = maxLine

// JSONLines reports whether a source whose decompressed start is head is
// JSON lines that Read reads line by line, so that LineDecoder can read it
// in chunks with the same result: it opens with '{' or '[' (no BOM, no
// gzip inside, no leading blank), its first line is a complete JSON value
// and a non-blank line follows within head. Anything else (a JSON
// document, CSV, a first line longer than head) is for Read.
func JSONLines(head []byte) bool {
	if len(head) == 0 || head[0] != '{' && head[0] != '[' {
		return false
	}
	nl := bytes.IndexByte(head, '\n')
	if nl < 0 || nl+1 > maxLine+1 {
		return false
	}
	if complete, _ := isComplete(bytes.TrimSpace(head[:nl])); !complete {
		return false
	}
	return len(bytes.TrimSpace(head[nl+1:])) > 0
}

// LinesState is what a JSON-lines source read in chunks carries from one
// chunk to the next: its format so far and, until a record is recognized,
// the unknown-record rejections held back (as Read holds them).
type LinesState struct {
	Format     Format
	recognized int
	pending    []Rejection
}

// Recognized is the state of a source one of whose records was
// recognized: a chunk decoded from it with no earlier chunk at hand is
// decoded as Read would, provided an earlier chunk indeed recognized a
// record (then Then joins the states).
func Recognized() LinesState { return LinesState{recognized: 1} }

// IsRecognized reports whether a record of the source was recognized.
func (s LinesState) IsRecognized() bool { return s.recognized > 0 }

// Then is the state after s followed by next, a chunk decoded from
// Recognized(): their formats joined.
func (s LinesState) Then(next LinesState) LinesState {
	s.recognized += next.recognized
	switch {
	case next.Format == "" || s.Format == next.Format:
	case s.Format == "":
		s.Format = next.Format
	default:
		s.Format = FormatMixed
	}
	return s
}

// Finish returns Read's error for a source whose last chunk left s: a
// source of which no record was recognized is of unknown format.
func (s LinesState) Finish(source string) error {
	if s.recognized == 0 && len(s.pending) > 0 {
		return fmt.Errorf("normalize: %s: %w: no supported record in %d", source, ErrUnknownFormat, len(s.pending))
	}
	return nil
}

// LineDecoder decodes chunks of JSON lines. It keeps its decoder's caches
// (record shapes, interned strings) from chunk to chunk; one per
// goroutine.
type LineDecoder struct{ rd *reader }

// NewLineDecoder returns a decoder.
func NewLineDecoder() *LineDecoder { return &LineDecoder{rd: newReader("", nil)} }

// Decode reads the lines of chunk, whole lines the first of which is line
// first of source, into sink exactly as Read reads them, from state st
// (a zero LinesState for the first chunk). tooLong lists, in increasing
// order, the numbers of lines the caller skipped as longer than MaxLine
// (without their bytes in chunk): each is rejected in its place. It
// returns the state after the chunk, or the error Read returns when the
// source turns out to be of unknown format.
func (d *LineDecoder) Decode(source string, chunk []byte, first int, tooLong []int, st LinesState, sink Sink) (LinesState, error) {
	rd := d.rd
	rd.source, rd.sink = source, sink
	rd.format, rd.recognized, rd.pending = st.Format, st.recognized, st.pending
	no := first
	for len(chunk) > 0 || len(tooLong) > 0 {
		if len(tooLong) > 0 && tooLong[0] == no {
			rd.reject(no, "line-too-long", fmt.Sprintf("line longer than %d bytes skipped", maxLine))
			tooLong, no = tooLong[1:], no+1
			continue
		}
		line := chunk
		if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
			line, chunk = chunk[:i+1], chunk[i+1:]
		} else {
			chunk = nil
		}
		if err := rd.line(line, no); err != nil {
			return LinesState{}, fmt.Errorf("normalize: %s: %w", source, err)
		}
		no++
	}
	out := LinesState{Format: rd.format, recognized: rd.recognized, pending: rd.pending}
	rd.sink, rd.pending = nil, nil
	return out, nil
}
