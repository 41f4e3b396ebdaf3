//go:build amd64 && !purego

package normalize

// plainString is in plainstring_amd64.s (SSE2, which every amd64 has).
//
//go:noescape
func plainString(b []byte, i int) (end int, ok bool)
