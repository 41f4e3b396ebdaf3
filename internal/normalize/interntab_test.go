package normalize

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// principalStrings are what a tenant's n principals put in events: a UPN,
// an object ID and a display name each.
func principalStrings(n int) []string {
	out := make([]string, 0, 3*n)
	for i := range n {
		out = append(out, fmt.Sprintf("user%06d@contoso.example", i),
			fmt.Sprintf("4a30ccce-f2ad-4b68-92c4-%012x", i), fmt.Sprintf("User %06d", i))
	}
	return out
}

// borrow returns a copy of s that the table does not own, as the fast
// decoder's strings are views of the record.
func borrow(s string) string { return string([]byte(s)) }

// TestInternTable100kPrincipals: every string of 100k principals is
// copied once, then found on every later record, with the default budget.
func TestInternTable100kPrincipals(t *testing.T) {
	var tab internTable[struct{}]
	strs := principalStrings(100_000)
	for _, s := range strs {
		if _, _, ok := tab.get(borrow(s)); ok {
			t.Fatalf("%q found before it was added", s)
		}
		tab.add(strings.Clone(s), struct{}{})
	}
	first := map[string]string{}
	for round := range 3 {
		for _, s := range strs {
			owned, _, ok := tab.get(borrow(s))
			if !ok || owned != s {
				t.Fatalf("round %d: %q not found (%d held)", round, s, tab.len())
			}
			if p, seen := first[s]; seen && unsafe.StringData(p) != unsafe.StringData(owned) {
				t.Fatalf("round %d: %q copied again", round, s)
			}
			first[s] = owned
		}
	}
	if got := tab.young.size(len(tab.young.slots)); got > tab.genBudget {
		t.Errorf("young generation holds %d bytes, budget %d", got, tab.genBudget)
	}
}

// TestInternTableTurns: past its budget the table keeps what is in use and
// drops what is not, and never holds more than two generations.
func TestInternTableTurns(t *testing.T) {
	tab := internTable[string]{genBudget: 64 << 10}
	hot := principalStrings(100)
	for _, s := range hot {
		tab.add(strings.Clone(s), strings.ToUpper(s))
	}
	cold := principalStrings(20_000)[300:] // distinct from hot
	for i, s := range cold {
		if _, _, ok := tab.get(borrow(s)); !ok {
			tab.add(strings.Clone(s), "")
		}
		if i%200 == 0 { // the hot strings are met again and again
			for _, h := range hot {
				if _, v, ok := tab.get(borrow(h)); !ok || v != strings.ToUpper(h) {
					t.Fatalf("after %d cold strings: hot %q lost (ok %v, value %q)", i, h, ok, v)
				}
			}
		}
		for _, g := range []*generation[string]{&tab.young, &tab.old} {
			if size := g.size(len(g.slots)); size > tab.genBudget {
				t.Fatalf("a generation holds %d bytes, budget %d", size, tab.genBudget)
			}
		}
	}
	if _, _, ok := tab.get(borrow(cold[0])); ok {
		t.Errorf("%q, met once long ago, still held", cold[0])
	}
	if n := tab.len(); n >= len(cold) {
		t.Errorf("%d entries held for %d distinct strings: not bounded", n, len(cold))
	}
}

func TestLowerPair(t *testing.T) {
	for _, c := range []struct {
		in, low string
		changed bool
	}{
		{"/SUBSCRIPTIONS/1EE78D1D/RESOURCEGROUPS/RG", "/subscriptions/1ee78d1d/resourcegroups/rg", true},
		{"already lower", "", false},
		{"ÄRGER über Ümlaute", "ärger über ümlaute", true},
		{"İstanbul", strings.ToLower("İstanbul"), true},
	} {
		owned, low, ok := lowerPair(c.in)
		if ok != c.changed || ok && (owned != c.in || low != c.low) {
			t.Errorf("lowerPair(%q) = %q, %q, %v; want %q, %q, %v", c.in, owned, low, ok, c.in, c.low, c.changed)
		}
	}
}

// BenchmarkIntern is the strtab's cost per string for a tenant of
// 1k to 100k principals met in turn, as a month of their sign-ins is.
func BenchmarkIntern(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		strs := principalStrings(n)
		// The record's bytes: the strtab interns strings that point into them.
		record := []byte(strings.Join(strs, ""))
		views := make([]string, len(strs))
		off := 0
		for i, s := range strs {
			views[i] = unsafe.String(&record[off], len(s))
			off += len(s)
		}
		b.Run(fmt.Sprintf("principals=%d", n), func(b *testing.B) {
			var t strtab
			t.setRecord(record)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				t.intern(views[i])
				if i++; i == len(views) {
					i = 0
				}
			}
		})
	}
}
