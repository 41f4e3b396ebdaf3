package chunkread

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// signInLines is about n bytes of JSON lines of about 2 KB each, the
// size of the sign-in records of a generated month.
func signInLines(n int) []byte {
	var b bytes.Buffer
	pad := bytes.Repeat([]byte("x"), 1800)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `{"id":"%08d","createdDateTime":"2026-03-01T00:00:%02dZ","userPrincipalName":"u%d@example.com","pad":"%s"}`+"\n", i, i%60, i%2000, pad[:1600+i%200])
	}
	return b.Bytes()
}

// BenchmarkSplit splits 64 MB of 2 KB lines into 1 MB chunks, as detect
// reads a sign-in export, recycling the chunk buffers.
func BenchmarkSplit(b *testing.B) {
	data := signInLines(64 << 20)
	b.SetBytes(int64(len(data)))
	buf := make([]byte, 0, 1<<20+1<<18)
	for b.Loop() {
		s := NewSplitter(bytes.NewReader(data), 1<<20, 4<<20, 1)
		for {
			c, err := s.Next(buf)
			buf = c.Data
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
