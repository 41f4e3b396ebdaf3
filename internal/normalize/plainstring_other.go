//go:build !amd64 || purego

package normalize

func plainString(b []byte, i int) (end int, ok bool) { return plainStringWords(b, i) }
