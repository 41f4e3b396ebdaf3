// Package prefetch reads memory ahead of its use, so that the cache
// misses of a batch of objects overlap instead of each waiting in turn
// when the object is used.
package prefetch

import "unsafe"

// CacheLine is the processor's cache line size on the machines Vedette
// runs on (amd64, arm64 servers).
const CacheLine = 64

// Lines reads a byte of each cache line of *v (the last byte too, for an
// object that does not start on a line) and returns their sum, which the
// caller keeps so that the reads are not optimised away. It changes
// nothing.
func Lines[T any](v *T) uint64 {
	p, size := unsafe.Pointer(v), unsafe.Sizeof(*v)
	var sum uint64
	for off := uintptr(0); off < size; off += CacheLine {
		sum += uint64(*(*byte)(unsafe.Add(p, off)))
	}
	return sum + uint64(*(*byte)(unsafe.Add(p, size-1)))
}
