package normalize

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// readJSON reads JSON lines, or a whole JSON document when the first line
// is not a complete JSON value and the second is not either. A first line
// that is broken or too long thus costs that line only, never the file.
func (rd *reader) readJSON(br *bufio.Reader) error {
	lr := &lineReader{br: br}
	first, whole, err := lr.first()
	if err != nil {
		return err
	}
	if !whole {
		rd.reject(1, "line-too-long", fmt.Sprintf("first line longer than %d bytes skipped", maxDocument))
		return rd.lines(lr, 2)
	}
	if complete, _ := isComplete(first); complete {
		if _, perr := firstByteOf(br); perr == io.EOF {
			// A one-line file is a document (CloudTrail writes its
			// {"Records": [...]} files on one line): number by array index.
			return rd.document(bytes.TrimSpace(first))
		}
		if rerr := rd.lineOrTooLong(first, 1); rerr != nil {
			return rerr
		}
		return rd.lines(lr, 2)
	}
	read, second, no, err := lr.nextNonBlank(first)
	if err != nil {
		return err
	}
	if complete, _ := isComplete(second); complete && len(second) <= maxLine {
		// JSON lines whose first line is broken.
		if rerr := rd.lineOrTooLong(first, 1); rerr != nil {
			return rerr
		}
		if rerr := rd.line(second, no); rerr != nil {
			return rerr
		}
		return rd.lines(lr, no+1)
	}
	doc, rerr := readDocument(read, br)
	if rerr != nil {
		return rerr
	}
	return rd.document(doc)
}

// lineOrTooLong handles a line read whole, rejecting it past maxLine as
// lines does.
func (rd *reader) lineOrTooLong(b []byte, no int) error {
	if len(b) > maxLine+1 {
		rd.reject(no, "line-too-long", fmt.Sprintf("line longer than %d bytes skipped", maxLine))
		return nil
	}
	return rd.line(b, no)
}

var errDocumentTooLarge = fmt.Errorf("JSON document larger than %d bytes (write JSON lines instead: one record per line has no size limit)", maxDocument)

// readDocument joins what was read of the first lines with the rest, up to
// maxDocument. It reads in chunks and copies them once into a buffer of the
// exact size, so the heap holds about the document, not twice it.
func readDocument(head []byte, br *bufio.Reader) ([]byte, error) {
	const chunk = 4 << 20
	chunks := [][]byte{head}
	total := int64(len(head))
	for {
		c := make([]byte, chunk)
		n, err := io.ReadFull(br, c)
		chunks = append(chunks, c[:n])
		total += int64(n)
		if total > maxDocument {
			return nil, errDocumentTooLarge
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	doc := make([]byte, 0, total)
	for i := range chunks {
		doc = append(doc, chunks[i]...)
		chunks[i] = nil
	}
	return doc, nil
}

// lines reads JSON lines from lr, numbering them from no.
func (rd *reader) lines(lr *lineReader, no int) error {
	for ; ; no++ {
		b, tooLong, err := lr.next(false)
		if err != nil && err != io.EOF {
			return err
		}
		if tooLong {
			rd.reject(no, "line-too-long", fmt.Sprintf("line longer than %d bytes skipped", maxLine))
		} else if rerr := rd.line(b, no); rerr != nil {
			return rerr
		}
		if err == io.EOF {
			return rd.finish()
		}
	}
}

// line handles one JSON line; blank lines are skipped.
func (rd *reader) line(b []byte, no int) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	return rd.record(b, no)
}

// document reads a whole JSON document: an array of records, an envelope
// object ({"records": [...]}, {"Records": [...]}, {"value": [...]}), a single
// record, or several of those one after another. When the document does
// not parse but its lines do, it is JSON lines whose first line is broken.
func (rd *reader) document(b []byte) error {
	start := skipSpace(b, 0)
	if _, err := skipValue(b, start); err != nil && secondLineComplete(b) {
		return rd.lines(&lineReader{br: bufio.NewReaderSize(bytes.NewReader(b), 64<<10)}, 1)
	}
	rec := 0
	for i := start; i < len(b); i = skipSpace(b, i) {
		next, err := rd.topValue(b, i, func() int { rec++; return rec })
		if err != nil {
			return err
		}
		if next < 0 {
			break
		}
		i = next
	}
	return rd.finish()
}

// batchLine reads a batch envelope found on one JSON line; all its records
// carry the line number.
func (rd *reader) batchLine(b []byte, no int) error {
	_, err := rd.topValue(b, skipSpace(b, 0), func() int { return no })
	return err
}

// topValue handles the top-level value at b[i] and returns the offset past
// it, or -1 when the rest of b is unusable (already rejected).
func (rd *reader) topValue(b []byte, i int, number func() int) (int, error) {
	switch b[i] {
	case '[':
		return rd.batch(b, i, i, number)
	case '{':
		arr, err := envelopeArray(b, i)
		if err != nil {
			rd.reject(number(), "invalid-json", err.Error())
			return -1, nil
		}
		if arr >= 0 {
			return rd.batch(b, i, arr, number)
		}
		end, err := skipValue(b, i)
		if err != nil {
			rd.reject(number(), "invalid-json", err.Error())
			return -1, nil
		}
		return end, rd.record(b[i:end], number())
	}
	rd.reject(number(), "invalid-json", fmt.Sprintf("byte offset %d: expected an object or array", i))
	return -1, nil
}

// batch emits the records of the array at b[arr], part of the value at b[i].
func (rd *reader) batch(b []byte, i, arr int, number func() int) (int, error) {
	var ferr error
	_, serr := eachElement(b, arr, func(_ int, elem []byte) bool {
		ferr = rd.record(elem, number())
		return ferr == nil
	})
	if ferr != nil {
		return -1, ferr
	}
	if serr != nil {
		rd.reject(number(), "invalid-json", "records from here on lost: "+serr.Error())
		return -1, nil
	}
	end, err := skipValue(b, i)
	if err != nil {
		return -1, nil // the batch itself was complete; nothing else is read
	}
	return end, nil
}

// secondLineComplete reports whether the second non-blank line of b is a
// complete JSON value, the mark of JSON lines.
func secondLineComplete(b []byte) bool {
	seen := 0
	for len(b) > 0 {
		line := b
		if j := bytes.IndexByte(b, '\n'); j >= 0 {
			line, b = b[:j], b[j+1:]
		} else {
			b = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if seen++; seen == 2 {
			complete, _ := isComplete(line)
			return complete
		}
	}
	return false
}

// lineReader reads lines of at most maxLine bytes without buffering longer
// ones whole.
type lineReader struct {
	br   *bufio.Reader
	long []byte
}

// first returns the first line whole, up to maxDocument bytes (a one-line
// file may be a document of that size); whole is false when it is longer,
// and then it has been skipped.
func (l *lineReader) first() (line []byte, whole bool, err error) {
	b, tooLong, err := l.next(true)
	line = append([]byte(nil), b...)
	// next may have read the newline of a line just past maxLine.
	tooLong = tooLong && !bytes.HasSuffix(line, []byte("\n"))
	for tooLong && err == nil {
		b, err = l.br.ReadSlice('\n')
		line = append(line, b...)
		tooLong = errors.Is(err, bufio.ErrBufferFull)
		if int64(len(line)) > maxDocument {
			for tooLong {
				_, err = l.br.ReadSlice('\n')
				tooLong = errors.Is(err, bufio.ErrBufferFull)
			}
			return nil, false, ignoreEOF(err)
		}
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		err = nil
	}
	return line, true, ignoreEOF(err)
}

// nextNonBlank reads the next non-blank line after read, the lines read so
// far. It returns them with it (for a document; blank lines are dropped),
// the line trimmed (cut at maxLine when longer) and its line number.
func (l *lineReader) nextNonBlank(read []byte) (all, line []byte, no int, err error) {
	for no = 2; ; no++ {
		b, _, err := l.next(true)
		if t := bytes.TrimSpace(b); len(t) > 0 || err != nil {
			return append(read, b...), t, no, ignoreEOF(err)
		}
		// Blank lines are whitespace between tokens (a JSON string holds
		// no raw newline): they are not kept, however many.
		if !bytes.HasSuffix(read, []byte("\n")) {
			read = append(read, '\n')
		}
	}
}

func ignoreEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// next returns the next line. A line longer than maxLine is skipped up to
// its newline and reported as tooLong; with keep, it is instead returned
// cut at maxLine and the rest left unread.
func (l *lineReader) next(keep bool) (line []byte, tooLong bool, err error) {
	b, err := l.br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return b, false, err
	}
	l.long = append(l.long[:0], b...)
	for {
		b, err = l.br.ReadSlice('\n')
		l.long = append(l.long, b...)
		full := errors.Is(err, bufio.ErrBufferFull)
		if len(l.long) > maxLine+1 { // +1: the newline itself
			if keep {
				return l.long, true, nil
			}
			for full {
				_, err = l.br.ReadSlice('\n')
				full = errors.Is(err, bufio.ErrBufferFull)
			}
			return nil, true, err
		}
		if !full {
			return l.long, false, err
		}
	}
}
