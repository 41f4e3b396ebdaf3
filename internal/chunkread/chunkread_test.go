package chunkread

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// reference splits data as normalize's line reader reads it: the lines
// kept, and the numbers (from 1) of those longer than maxLine.
func reference(data []byte, maxLine int) (kept [][]byte, tooLong []int) {
	for i, l := range bytes.SplitAfter(data, []byte("\n")) {
		switch {
		case len(l) == 0:
		case len(l) > maxLine+1:
			tooLong = append(tooLong, i+1)
		default:
			kept = append(kept, l)
		}
	}
	return kept, tooLong
}

// split reads data in chunks through r's reads and checks each chunk.
func split(t *testing.T, r io.Reader, size, maxLine int) (data []byte, tooLong []int) {
	t.Helper()
	s := NewSplitter(r, size, maxLine, 1)
	next := 1
	for {
		c, err := s.Next(nil)
		if c.First != next {
			t.Fatalf("chunk %d starts at line %d, want %d", c.Seq, c.First, next)
		}
		next += bytes.Count(c.Data, []byte("\n")) + len(c.TooLong)
		if err == nil && !bytes.HasSuffix(c.Data, []byte("\n")) && len(c.Data) > 0 {
			t.Fatalf("chunk %d does not end with a whole line", c.Seq)
		}
		data = append(data, c.Data...)
		tooLong = append(tooLong, c.TooLong...)
		if err == io.EOF {
			if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
				next++
			}
			return data, tooLong
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func FuzzSplitter(f *testing.F) {
	f.Add([]byte("a\nbb\n\nccc\nlong line here\nd"), uint8(3), uint8(4))
	f.Add([]byte("x\n"), uint8(1), uint8(0))
	f.Add(bytes.Repeat([]byte("0123456789\n"), 40), uint8(7), uint8(12))
	f.Fuzz(func(t *testing.T, data []byte, size, maxLine uint8) {
		kept, tooLong := reference(data, int(maxLine))
		for _, r := range []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data)), iotest.HalfReader(bytes.NewReader(data))} {
			got, gotLong := split(t, r, int(size), int(maxLine))
			if !bytes.Equal(got, bytes.Join(kept, nil)) || !slices.Equal(gotLong, tooLong) {
				t.Fatalf("size %d, maxLine %d: got %q %v, want %q %v", size, maxLine, got, gotLong, bytes.Join(kept, nil), tooLong)
			}
		}
	})
}

// TestReadError: a read error ends the source; the whole lines before it
// are returned and Err reports it.
func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(bytes.NewReader([]byte("one\ntwo\nthr")), iotest.ErrReader(boom))
	p := NewPool(2)
	defer p.Close()
	res := Read(p, NewSplitter(r, 4, 100, 1), 2, func(_ int, c Chunk) string { return string(c.Data) })
	var got []string
	for {
		s, ok := res.Next()
		if !ok {
			break
		}
		got = append(got, s)
	}
	if diff := cmp.Diff([]string{"one\n", "two\n"}, got); diff != "" || !errors.Is(res.Err(), boom) {
		t.Errorf("err %v; chunks (-want +got):\n%s", res.Err(), diff)
	}
}

// TestResultsInOrder: chunks decoded at random speeds on the pool come back
// in order, from several sources at once; a source closed early lets go.
func TestResultsInOrder(t *testing.T) {
	p := NewPool(4)
	defer p.Close()
	var lines bytes.Buffer
	for i := range 2000 {
		lines.WriteString(string(rune('a'+i%26)) + "\n")
	}
	decode := func(_ int, c Chunk) Chunk {
		time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
		c.Data = bytes.Clone(c.Data)
		return c
	}
	sources := make([]*Results[Chunk], 3)
	for i := range sources {
		sources[i] = Read(p, NewSplitter(bytes.NewReader(lines.Bytes()), 64, 100, 1), 3, decode)
	}
	sources[2].Close()
	for i, res := range sources[:2] {
		var got []byte
		seq := 0
		for c, ok := res.Next(); ok; c, ok = res.Next() {
			if c.Seq != seq {
				t.Fatalf("source %d: chunk %d came as number %d", i, c.Seq, seq)
			}
			seq++
			got = append(got, c.Data...)
			p.Recycle(c.Data)
		}
		if !bytes.Equal(got, lines.Bytes()) {
			t.Errorf("source %d: lines changed", i)
		}
	}
}

// TestEndlessLineBounded: a line far longer than the limit (hostile
// input) is reported with its number and skipped without being buffered:
// no chunk's buffer grows past about the limit, and the line after it is
// read with the right number.
func TestEndlessLineBounded(t *testing.T) {
	const size, maxLine = 64 << 10, 1 << 20
	endless := io.LimitReader(xs{}, 40<<20)
	r := io.MultiReader(strings.NewReader("first\n"), endless, strings.NewReader("\nlast\n"))
	s := NewSplitter(r, size, maxLine, 1)
	var data []byte
	var tooLong []int
	for {
		c, err := s.Next(nil)
		if bound := 2 * (maxLine + size); cap(c.Data) > bound {
			t.Fatalf("chunk %d buffered %d bytes, more than %d", c.Seq, cap(c.Data), bound)
		}
		data, tooLong = append(data, c.Data...), append(tooLong, c.TooLong...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if string(data) != "first\nlast\n" || !slices.Equal(tooLong, []int{2}) {
		t.Errorf("got %q, too long %v; want %q, [2]", data, tooLong, "first\nlast\n")
	}
}

// xs reads as an endless run of 'x'.
type xs struct{}

func (xs) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}
