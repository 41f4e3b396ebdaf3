//go:build amd64 && !purego

package normalize

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// plainVariants are the forms of plainString this CPU runs, by name: the
// one start-up chose and each assembly variant the CPU has. A variant
// the CPU lacks is named in skipped (the tests log it): a machine without
// AVX2 tests SSE2, and the choice (TestPlainLevel).
func plainVariants() (vs map[string]func([]byte, int) (int, bool), skipped []string) {
	vs = map[string]func([]byte, int) (int, bool){"plainString": plainString, "sse2": asPlainString(plainEndSSE2)}
	if cpu.X86.HasAVX2 {
		vs["avx2"] = asPlainString(plainEndAVX2)
	} else {
		skipped = append(skipped, "avx2")
	}
	return vs, skipped
}

func asPlainString(f func(p *byte, n, i int) int) func([]byte, int) (int, bool) {
	return func(b []byte, i int) (int, bool) {
		end := f(unsafe.SliceData(b), len(b), i)
		return end, end >= 0
	}
}

// TestPlainLevel checks that plainEnd runs AVX2 where the CPU has it and
// SSE2 elsewhere.
func TestPlainLevel(t *testing.T) {
	want := uint8(plainSSE2)
	if cpu.X86.HasAVX2 {
		want = plainAVX2
	}
	if plainLevel != want {
		t.Errorf("plainLevel %d on a CPU with AVX2 %v, want %d", plainLevel, cpu.X86.HasAVX2, want)
	}
	if plainLevelOf(false) != plainSSE2 || plainLevelOf(true) != plainAVX2 {
		t.Errorf("plainLevelOf(false), (true) = %d, %d; want %d, %d", plainLevelOf(false), plainLevelOf(true), plainSSE2, plainAVX2)
	}
}
