//go:build amd64 && !purego

package normalize

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// plainString returns the offset past the string literal that opens at
// b[i] when the literal is plain: no escape, no control and no non-ASCII
// byte, the strings of real records. ok is false for any other (or
// unterminated) literal, which scanString then judges (end is then
// meaningless). It looks at the bytes after the opening quote up to the
// last whole word of eight, as plainStringWords does elsewhere, a vector
// at a time (plainEnd); the first special byte among them ends the
// literal, which is plain exactly when that byte is the quote.
func plainString(b []byte, i int) (end int, ok bool) {
	end = plainEnd(unsafe.SliceData(b), len(b), i)
	return end, end >= 0
}

// plainEnd is plainString for the n bytes at p, -1 for a literal that is
// not plain (plainstring_amd64.s). It runs the wider of its two variants
// the CPU has, chosen once at start-up (plainLevel): 32 bytes a step in
// AVX2, 16 in SSE2, which every amd64 has. Most literals are short (a
// sign-in's values average 23 bytes; GUIDs take 37 with the quote), so
// what counts is a call's first step, whose instructions AVX2 cuts by a
// quarter; an AVX-512 variant, 64 bytes a step, made the decoder slower
// (bench/README.md, "stop 20: p-scan").
//
//go:noescape
func plainEnd(p *byte, n, i int) int

//go:noescape
func plainEndSSE2(p *byte, n, i int) int

//go:noescape
func plainEndAVX2(p *byte, n, i int) int

// The variants of plainEnd, as plainLevel names them.
const (
	plainSSE2 = iota
	plainAVX2
)

// plainLevel is the variant plainEnd runs: AVX2 where the CPU (and the
// OS, which must save its registers) has it.
var plainLevel = plainLevelOf(cpu.X86.HasAVX2)

// plainLevelOf is the variant of plainEnd for a CPU with or without AVX2.
func plainLevelOf(avx2 bool) uint8 {
	if avx2 {
		return plainAVX2
	}
	return plainSSE2
}
