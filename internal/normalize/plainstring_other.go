//go:build !amd64 || purego

package normalize

// plainString returns the offset past the string literal that opens at
// b[i] when the literal is plain: no escape, no control and no non-ASCII
// byte, the strings of real records. ok is false for any other (or
// unterminated) literal, which scanString then judges (end is then
// meaningless). It looks at the bytes after the opening quote up to the
// last whole word of eight; the first special byte among them ends the
// literal, which is plain exactly when that byte is the quote. On amd64
// it is in assembly (plainstring_amd64.go).
func plainString(b []byte, i int) (end int, ok bool) { return plainStringWords(b, i) }
