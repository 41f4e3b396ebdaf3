package normalize

import (
	"math"
	"strconv"
	"testing"
)

// TestExactDecimal checks plainMembers' float reader against the full
// path's (number, then exactFloat or strconv): what it takes it reads to
// the same bits and the same end, and it leaves everything else.
func TestExactDecimal(t *testing.T) {
	for _, tc := range []struct {
		in    string
		taken bool
	}{
		{"12.9716,", true}, {"77.5946}", true}, {"-33.8688,", true}, {"0,", true},
		{"-0}", true}, {"0.1,", true}, {"-0.000001}", true}, {"123456789012345,", true},
		{"1234567890.12345}", true}, {"7}", true},
		{"1234567890123456,", false}, {"0.0000000000000001,", false}, // more than 15 digits
		{"01,", false}, {"-,", false}, {"1.,", false}, {".5,", false}, {"1e5,", false},
		{"1.5E-3}", false}, {"12.5 ,", false}, {"12.5", false}, {"12", false},
		{"12.", false}, {"-", false}, {"+1,", false}, {"1.2.3,", false}, {`"1",`, false},
		{"Infinity,", false}, {"1_0,", false},
	} {
		b := []byte(tc.in)
		v, end := exactDecimal(b, 0)
		if (end >= 0) != tc.taken {
			t.Errorf("%q: taken %v, want %v", tc.in, end >= 0, tc.taken)
		}
		if end < 0 {
			continue
		}
		nend, ok := number(b, 0)
		want, exact := exactFloat(b[:nend])
		if !exact {
			want, _ = strconv.ParseFloat(string(b[:nend]), 64)
		}
		if !ok || nend != end || math.Float64bits(v) != math.Float64bits(want) {
			t.Errorf("%q: %v up to %d, the full path %v up to %d (ok %v)", tc.in, v, end, want, nend, ok)
		}
	}
}

// TestAllocTables checks that the object types alloc recognises exist:
// without them the fast decoder would allocate every record's properties.
func TestAllocTables(t *testing.T) {
	tb := typeTables()
	if tb.props == nil || tb.coords == nil || tb.props == tb.coords {
		t.Fatalf("props %p, coords %p", tb.props, tb.coords)
	}
}
