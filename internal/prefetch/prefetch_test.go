package prefetch

import "testing"

// Lines reads the object's bytes at each line and its last, and nothing
// else: the sum is theirs, whatever the other bytes hold.
func TestLinesReadsEachLine(t *testing.T) {
	var v [200]byte
	for i := range v {
		v[i] = 100 // not read: only offsets 0, 64, 128, 192 and 199
	}
	v[0], v[64], v[128], v[192], v[199] = 1, 2, 3, 4, 5
	if got := Lines(&v); got != 15 {
		t.Errorf("Lines = %d, want 15 (bytes 0, 64, 128, 192 and the last)", got)
	}
}
