package normalize

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// TestSpecialBytes checks the word-at-a-time test against a byte-by-byte
// one: its lowest flag must be the first special byte, whatever the bytes
// around it.
func TestSpecialBytes(t *testing.T) {
	special := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80 }
	rng := rand.New(rand.NewPCG(3, 4))
	var w [8]byte
	check := func() {
		t.Helper()
		want := 8
		for i, c := range w {
			if special(c) {
				want = i
				break
			}
		}
		got := 8
		if m := specialBytes(binary.LittleEndian.Uint64(w[:])); m != 0 {
			got = bits.TrailingZeros64(m) / 8
		}
		if got != want {
			t.Fatalf("% x: first special byte at %d, want %d", w, got, want)
		}
	}
	for pos := range 8 {
		for c := range 256 {
			for i := range w {
				w[i] = 'a' + byte(rng.IntN(26))
			}
			w[pos] = byte(c)
			check()
		}
	}
	alphabet := []byte{0, 0x1f, 0x20, 0x21, '"', '#', '[', '\\', ']', 'a', 0x7f, 0x80, 0xff}
	for range 200000 {
		for i := range w {
			w[i] = alphabet[rng.IntN(len(alphabet))]
		}
		check()
	}
}
