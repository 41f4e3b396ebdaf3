//go:build amd64 && !purego

package normalize

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// plainVariants are the forms of plainString this CPU runs, by name: the
// one start-up chose and each assembly variant the CPU has. A variant
// the CPU lacks is named in skipped (the test logs it): a machine without
// AVX-512 tests the others, and the choice (TestPlainLevel).
func plainVariants() (vs map[string]func([]byte, int) (int, bool), skipped []string) {
	vs = map[string]func([]byte, int) (int, bool){"plainString": plainString, "sse2": asPlainString(plainEndSSE2)}
	if cpu.X86.HasAVX2 {
		vs["avx2"] = asPlainString(plainEndAVX2)
	} else {
		skipped = append(skipped, "avx2")
	}
	if cpu.X86.HasAVX512BW && cpu.X86.HasBMI2 {
		vs["avx512"] = asPlainString(plainEndAVX512)
	} else {
		skipped = append(skipped, "avx512")
	}
	return vs, skipped
}

func asPlainString(f func(p *byte, n, i int) int) func([]byte, int) (int, bool) {
	return func(b []byte, i int) (int, bool) {
		end := f(unsafe.SliceData(b), len(b), i)
		return end, end >= 0
	}
}

// TestPlainLevel checks that plainEnd runs the widest variant the CPU
// has, and that the choice falls back as the features go.
func TestPlainLevel(t *testing.T) {
	want := uint8(plainSSE2)
	switch {
	case cpu.X86.HasAVX512BW && cpu.X86.HasBMI2:
		want = plainAVX512
	case cpu.X86.HasAVX2:
		want = plainAVX2
	}
	t.Logf("plainLevel %d", plainLevel)
	if plainLevel != want {
		t.Errorf("plainLevel %d on this CPU (avx2 %v, avx512bw %v, bmi2 %v), want %d",
			plainLevel, cpu.X86.HasAVX2, cpu.X86.HasAVX512BW, cpu.X86.HasBMI2, want)
	}
	for _, c := range []struct {
		avx2, avx512 bool
		want         uint8
	}{{false, false, plainSSE2}, {true, false, plainAVX2}, {true, true, plainAVX512}} {
		if got := plainLevelOf(c.avx2, c.avx512); got != c.want {
			t.Errorf("plainLevelOf(%v, %v) = %d, want %d", c.avx2, c.avx512, got, c.want)
		}
	}
}
