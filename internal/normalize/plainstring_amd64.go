//go:build amd64 && !purego

package normalize

import "unsafe"

func plainString(b []byte, i int) (end int, ok bool) {
	end = plainEnd(unsafe.SliceData(b), len(b), i)
	return end, end >= 0
}

// plainEnd is plainString for the n bytes at p in SSE2 (which every amd64
// has; plainstring_amd64.s), with -1 for a literal that is not plain.
//
//go:noescape
func plainEnd(p *byte, n, i int) int
