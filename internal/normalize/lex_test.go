package normalize

import (
	"encoding/binary"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
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

// TestExactFloat checks the plain-decimal fast path against strconv, and
// that it declines what it cannot convert exactly.
func TestExactFloat(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	nums := []string{"0", "-0", "0.5", "50.1109", "-122.4194", "8.6821", "123456789012345", "0.000000000000001",
		"1234567890123456", "1e5", "2.5E-3", "9007199254740993"}
	for range 100000 {
		s := strconv.FormatFloat((rng.Float64()-0.5)*400, 'f', rng.IntN(13), 64)
		nums = append(nums, s)
	}
	for _, s := range nums {
		want, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := exactFloat([]byte(s))
		if ok && math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("exactFloat(%s) = %v, want %v", s, got, want)
		}
		if plain := !strings.ContainsAny(s, "eE") && len(s)-strings.Count(s, "-")-strings.Count(s, ".") <= 15; ok != plain {
			t.Fatalf("exactFloat(%s): ok %v", s, ok)
		}
	}
}

// TestPlainString checks plainString and each of its assembly variants
// this CPU runs (plainVariants), and plainStringWords, against a
// byte-by-byte reading of the literal: each takes exactly the literals
// with no special byte before the closing quote among the whole words of
// eight after the opening one, and ends them there; plainStringWords'
// constants are specialBytes'. Literals run to 200 bytes, so that the
// widest variant takes several steps and each of its narrower ones.
func TestPlainString(t *testing.T) {
	if specialWords != [5]uint64{0x02 * ones, 0x21 * ones, '\\' * ones, ones, highs} {
		t.Fatalf("specialWords %x", specialWords)
	}
	fs, skipped := plainVariants()
	fs["plainStringWords"] = plainStringWords
	if len(skipped) > 0 {
		t.Logf("variants this CPU lacks, not run: %v", skipped)
	}
	alphabet := []byte{0, 0x1f, 0x20, '!', '"', '#', 'a', '\\', 'z', 0x7f, 0x80, 0xc3, 0xff}
	rng := rand.New(rand.NewPCG(7, 8))
	b := make([]byte, 200)
	for range 200000 {
		n := 1 + rng.IntN(len(b))
		rare := 12 + rng.IntN(80) // one byte in rare may be special
		for i := range n {
			b[i] = 'a' + byte(rng.IntN(26))
			if rng.IntN(rare) == 0 {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		lit, start := b[:n], rng.IntN(n)
		wantEnd, wantOK := -1, false
		for j := start + 1; j < n; j++ {
			if c := lit[j]; c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				wantEnd, wantOK = j+1, c == '"'
				break
			}
		}
		// All leave the last 7 bytes or fewer to scanString.
		covered := wantEnd <= start+1+(n-start-1)/8*8
		for name, f := range fs {
			end, ok := f(lit, start)
			if ok != (wantOK && covered) || ok && end != wantEnd {
				t.Fatalf("%s(%q, %d): end %d ok %v, want %d %v", name, lit, start, end, ok, wantEnd, wantOK && covered)
			}
		}
	}
}
