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
	var tab internTable
	strs := principalStrings(100_000)
	for _, s := range strs {
		if _, _, ok := tab.get(borrow(s)); ok {
			t.Fatalf("%q found before it was added", s)
		}
		tab.add(borrow(s), "")
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
	if tab.old.n != 0 {
		t.Errorf("the table turned: 100k principals did not fit in a generation")
	}
	if got := tab.young.size(len(tab.young.slots), 0); got > tab.genBudget {
		t.Errorf("young generation holds %d bytes, budget %d", got, tab.genBudget)
	}
}

// TestInternTableTurns: past its budget the table keeps what is in use and
// drops what is not, and never holds more than two generations.
func TestInternTableTurns(t *testing.T) {
	tab := internTable{genBudget: 256 << 10}
	hot := principalStrings(100)
	for _, s := range hot {
		tab.add(borrow(s), strings.ToUpper(s))
	}
	cold := principalStrings(20_000)[300:] // distinct from hot
	for i, s := range cold {
		if _, _, ok := tab.get(borrow(s)); !ok {
			tab.add(borrow(s), "")
		}
		if i%200 == 0 { // the hot strings are met again and again
			for _, h := range hot {
				if k, v, ok := tab.get(borrow(h)); !ok || k != h || v != strings.ToUpper(h) {
					t.Fatalf("after %d cold strings: hot %q lost (ok %v, value %q)", i, h, ok, v)
				}
			}
		}
		for _, g := range []*generation{&tab.young, &tab.old} {
			if size := g.size(len(g.slots), 0); size > tab.genBudget {
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

// TestStrtabLower: lower gives strings.ToLower of what records hold,
// owned by the table, and the same copy every time.
func TestStrtabLower(t *testing.T) {
	var st strtab
	for _, in := range []string{
		"/SUBSCRIPTIONS/1EE78D1D/RESOURCEGROUPS/RG",
		"ÄRGER über Ümlaute",
		"İstanbul",
		"MICROSOFT.COMPUTE/SNAPSHOTS/WRITE",
		"mixed.Case@Contoso.example",
	} {
		rec := []byte("{" + in + "}")
		st.setRecord(rec)
		view := unsafe.String(&rec[1], len(in))
		got := st.lower(view)
		if got != strings.ToLower(in) {
			t.Errorf("lower(%q) = %q, want %q", in, got, strings.ToLower(in))
		}
		if st.borrowed(got) {
			t.Errorf("lower(%q) points into the record", in)
		}
		st.recentLower = nil // past the cache: from the table
		if again := st.lower(view); unsafe.StringData(again) != unsafe.StringData(got) {
			t.Errorf("lower(%q) copied again", in)
		}
		if owned := st.intern(view); owned != in || st.borrowed(owned) {
			t.Errorf("intern(%q) = %q, borrowed %v", in, owned, st.borrowed(owned))
		}
	}
}

// TestLowerOwned: a tenant or subscription is lower-cased and owned
// whether it repeats the previous record's or not, in either case; a
// repeat is the same copy, found without the record whose bytes held it
// (overwritten here once read); and a value not from the record (a CSV
// field) is copied, not kept, so nothing holds on to what held it.
func TestLowerOwned(t *testing.T) {
	var st strtab
	var last [2]string
	copies := map[string]string{}
	for _, in := range []string{
		"8d3f2a61-5b7c-4e1d-9a0f-3c6b2e7d4f10", "8d3f2a61-5b7c-4e1d-9a0f-3c6b2e7d4f10",
		"8D3F2A61-5B7C-4E1D-9A0F-3C6B2E7D4F10", "8D3F2A61-5B7C-4E1D-9A0F-3C6B2E7D4F10",
		"8d3f2a61-5b7c-4e1d-9a0f-3c6b2e7d4f10", "B83F3F96-741B-48BC-AF76-C404A021DAAF",
		"ÄRGER-İstanbul", "ÄRGER-İstanbul", "", "", "8d3f2a61-5b7c-4e1d-9a0f-3c6b2e7d4f10",
	} {
		rec := []byte("{" + in + "}")
		st.setRecord(rec)
		got := st.lowerOwned(unsafe.String(unsafe.SliceData(rec[1:]), len(in)), &last)
		if got != strings.ToLower(in) || st.borrowed(got) || st.borrowed(last[0]) {
			t.Fatalf("lowerOwned(%q) = %q, borrowed %v, %v; want %q", in, got, st.borrowed(got), st.borrowed(last[0]), strings.ToLower(in))
		}
		if c, ok := copies[in]; ok && in != "" && unsafe.StringData(c) != unsafe.StringData(got) {
			t.Errorf("lowerOwned(%q) copied again", in)
		}
		copies[in] = got
		for i := range rec {
			rec[i] = 'X'
		}
	}
	field := strings.Repeat("8D3F2A61-5B7C-4E1D-9A0F-3C6B2E7D4F10,", 2) // a CSV row's fields
	st.setRecord(nil)
	in := field[37 : 37+36]
	if got := st.lowerOwned(in, &last); got != strings.ToLower(in) {
		t.Fatalf("lowerOwned(%q) = %q", in, got)
	}
	if unsafe.StringData(last[0]) == unsafe.StringData(in) {
		t.Errorf("lowerOwned keeps the row's own bytes")
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
