//go:build amd64 && !purego

package normalize

import "unsafe"

// plainString returns the offset past the string literal that opens at
// b[i] when the literal is plain: no escape, no control and no non-ASCII
// byte, the strings of real records. ok is false for any other (or
// unterminated) literal, which scanString then judges (end is then
// meaningless). It looks at the bytes after the opening quote up to the
// last whole word of eight, as plainStringWords does elsewhere, sixteen
// at a time (plainEnd); the first special byte among them ends the
// literal, which is plain exactly when that byte is the quote. A call
// costs about what two words of plainStringWords do, and most literals
// are longer than one (GUIDs, timestamps, names): on sign-ins the decoder
// is faster this way (bench/README.md, "The fast decoder, third pass").
func plainString(b []byte, i int) (end int, ok bool) {
	end = plainEnd(unsafe.SliceData(b), len(b), i)
	return end, end >= 0
}

// plainEnd is plainString for the n bytes at p, in SSE2, which every
// amd64 has (plainstring_amd64.s); -1 for a literal that is not plain.
//
//go:noescape
func plainEnd(p *byte, n, i int) int
