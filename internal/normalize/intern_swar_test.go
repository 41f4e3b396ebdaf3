package normalize

import (
	"strings"
	"testing"
)

// TestUpperOrHigh checks the word-wise test against the byte-wise one for
// every byte value in every position.
func TestUpperOrHigh(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			word := []byte("abcdefgh")
			word[pos] = byte(c)
			want := c >= 0x80 || 'A' <= c && c <= 'Z'
			if got := upperOrHigh(load64(string(word), 0))&(0x80<<(8*pos)) != 0; got != want {
				t.Fatalf("byte %#x at %d: flagged %v, want %v", c, pos, got, want)
			}
			if got := mayHaveUpper(string(word)); got != want {
				t.Fatalf("mayHaveUpper(%q) = %v, want %v", word, got, want)
			}
			if got := mayHaveUpper(string(word[:pos+1])); got != want {
				t.Fatalf("mayHaveUpper(%q) = %v, want %v", word[:pos+1], got, want)
			}
		}
		// Longer strings: whole words, then a last word overlapping the
		// one before it.
		for n := 9; n <= 25; n++ {
			for pos := range n {
				s := []byte(strings.Repeat("a0-z", 7)[:n])
				s[pos] = byte(c)
				want := c >= 0x80 || 'A' <= c && c <= 'Z'
				if got := mayHaveUpper(string(s)); got != want {
					t.Fatalf("mayHaveUpper(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
}

// TestAppendLower checks the word-wise lower-casing against
// strings.ToLower for every byte value in every position of a word and of
// a tail: ASCII lowered, anything else left to strings.ToLower.
func TestAppendLower(t *testing.T) {
	for c := range 256 {
		for pos := range 11 {
			in := []byte("AbCdEfGhIjK")
			in[pos] = byte(c)
			got, ok := appendLower([]byte("x"), string(in))
			if c >= 0x80 {
				if ok || string(got) != "x" {
					t.Fatalf("appendLower(%q) = %q, %v: want the buffer untouched, false", in, got, ok)
				}
				continue
			}
			if want := "x" + strings.ToLower(string(in)); !ok || string(got) != want {
				t.Fatalf("appendLower(%q) = %q, %v, want %q", in, got, ok, want)
			}
		}
	}
}
