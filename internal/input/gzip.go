package input

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// Bounds on decompression. Activity and flow log exports compress 5 to 50
// times; a stream of zeros compresses about 1,000 times. Past the first
// ratioFloor bytes out, a gzip stream whose output exceeds MaxRatio times
// its input is refused as a likely decompression bomb.
const (
	MaxRatio   = 200
	ratioFloor = 16 << 20
)

// ErrRatio is returned (wrapped) when a gzip stream expands past MaxRatio.
var ErrRatio = errors.New("decompression ratio too high")

// gzipMagic opens every gzip member.
var gzipMagic = []byte{0x1f, 0x8b}

// IsGzip reports whether b starts with the gzip magic.
func IsGzip(b []byte) bool { return len(b) >= 2 && b[0] == gzipMagic[0] && b[1] == gzipMagic[1] }

// Gunzip returns r decompressed when it starts with the gzip magic, behind
// the ratio guard, else r itself; done releases the decompressor. Either
// way the result is a *bufio.Reader of at least size bytes.
func Gunzip(r io.Reader, size int) (br *bufio.Reader, done func(), err error) {
	br = bufio.NewReaderSize(r, size)
	done = func() {}
	if magic, _ := br.Peek(2); !IsGzip(magic) {
		return br, done, nil
	}
	in := &countReader{r: br}
	zr, err := gzip.NewReader(in)
	if err != nil {
		return nil, done, fmt.Errorf("gzip: %w", err)
	}
	return bufio.NewReaderSize(&ratioReader{zr: zr, in: in}, size), func() { zr.Close() }, nil
}

// countReader counts the compressed bytes consumed.
type countReader struct {
	r *bufio.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// ratioReader refuses output beyond MaxRatio times the input.
type ratioReader struct {
	zr  *gzip.Reader
	in  *countReader
	out int64
}

func (r *ratioReader) Read(p []byte) (int, error) {
	n, err := r.zr.Read(p)
	r.out += int64(n)
	if r.out > ratioFloor && r.out > MaxRatio*r.in.n {
		return n, fmt.Errorf("%w: %d bytes out of %d compressed (limit %d:1); refusing a likely gzip bomb",
			ErrRatio, r.out, r.in.n, MaxRatio)
	}
	return n, err
}
