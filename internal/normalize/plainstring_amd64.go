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
// not plain (plainstring_amd64.s). It runs the widest of its variants the
// CPU has, chosen once at start-up (plainLevel): 64 bytes a step in
// AVX-512, 32 in AVX2, 16 in SSE2, which every amd64 has.
//
//go:noescape
func plainEnd(p *byte, n, i int) int

//go:noescape
func plainEndSSE2(p *byte, n, i int) int

//go:noescape
func plainEndAVX2(p *byte, n, i int) int

//go:noescape
func plainEndAVX512(p *byte, n, i int) int

// The variants of plainEnd, as plainLevel names them.
const (
	plainSSE2 = iota
	plainAVX2
	plainAVX512
)

// plainLevel is the variant plainEnd runs.
var plainLevel = plainLevelOf(cpu.X86.HasAVX2, cpu.X86.HasAVX512BW && cpu.X86.HasBMI2)

// plainLevelOf is the widest variant of plainEnd a CPU with (or without)
// AVX2 and AVX-512BW with BMI2 (the mask of the last step) runs.
func plainLevelOf(avx2, avx512 bool) uint8 {
	switch {
	case avx512:
		return plainAVX512
	case avx2:
		return plainAVX2
	}
	return plainSSE2
}
