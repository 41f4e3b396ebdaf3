// Package chunkread reads a source of lines in chunks of whole lines and
// decodes the chunks on a shared pool of workers, handing the results back
// in the order of the chunks: reading (and decompressing) runs in the
// source's own goroutine, decoding on every core, and the consumer sees
// exactly what one sequential reader would have produced.
package chunkread

import (
	"bufio"
	"errors"
	"io"
)

// Chunk is a run of whole lines of a source.
type Chunk struct {
	Seq   int    // 0 for the first chunk of the source
	Data  []byte // whole lines, each with its newline (the last one of the source may lack it)
	First int    // number of the first line (a line skipped as too long counts)
	// TooLong are the numbers, increasing, of the lines longer than the
	// splitter's limit: skipped without being buffered, not in Data.
	TooLong []int
}

// Splitter cuts a reader into chunks.
type Splitter struct {
	br      *bufio.Reader
	size    int
	maxLine int
	no      int
	seq     int
	long    []byte
	done    bool
}

// NewSplitter returns a splitter of r into chunks of about size bytes,
// numbering lines from first; a line longer than maxLine (its newline
// aside) is skipped and listed in its chunk's TooLong, as
// normalize.Read skips it.
func NewSplitter(r io.Reader, size, maxLine, first int) *Splitter {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &Splitter{br: br, size: max(size, 1), maxLine: maxLine, no: first}
}

// Next returns the next chunk, its data appended to buf[:0]. At the end it
// returns io.EOF, with the last chunk when it holds anything; another read
// error ends the source the same way, the lines before it returned.
func (s *Splitter) Next(buf []byte) (Chunk, error) {
	if s.done {
		return Chunk{}, io.EOF
	}
	c := Chunk{Seq: s.seq, Data: buf[:0], First: s.no}
	s.seq++
	for len(c.Data) < s.size {
		line, tooLong, err := s.line()
		switch {
		case tooLong:
			c.TooLong = append(c.TooLong, s.no)
			s.no++
		case len(line) > 0:
			c.Data = append(c.Data, line...)
			s.no++
		}
		if err != nil {
			s.done = true
			return c, err
		}
	}
	return c, nil
}

// line returns the next line; one longer than maxLine is skipped up to
// its newline and reported as tooLong (normalize's lineReader does the
// same, so line numbers and rejections agree).
func (s *Splitter) line() (line []byte, tooLong bool, err error) {
	b, err := s.br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return b, false, err
	}
	s.long = append(s.long[:0], b...)
	for {
		b, err = s.br.ReadSlice('\n')
		s.long = append(s.long, b...)
		full := errors.Is(err, bufio.ErrBufferFull)
		if len(s.long) > s.maxLine+1 { // +1: the newline itself
			for full {
				_, err = s.br.ReadSlice('\n')
				full = errors.Is(err, bufio.ErrBufferFull)
			}
			return nil, true, err
		}
		if !full {
			return s.long, false, err
		}
	}
}
