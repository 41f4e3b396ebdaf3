package normalize

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/vedette/vedette/internal/event"
)

// TestOwnWho: who acted comes out as written (the principal lower-cased),
// owned (pointing neither into the record nor into the lower-case
// scratch), and the same copies every time a principal's triple comes
// back, whether from the cache or from the table; triples that share a
// principal but not its ID or name stay apart.
func TestOwnWho(t *testing.T) {
	type who struct{ upn, id, name string }
	var whos []who
	for i := range 3000 { // past the cache's first size: it grows
		whos = append(whos, who{fmt.Sprintf("User.%04d@Contoso.example", i), fmt.Sprintf("4a30ccce-f2ad-4b68-92c4-%012x", i), fmt.Sprintf("User %d", i)})
	}
	whos = append(whos,
		who{"User.0001@Contoso.example", "", "User 1"},                    // no object ID
		who{"User.0001@Contoso.example", "4a30ccce", "Someone else"},      // same principal, other ID and name
		who{"ÄRGER@İstanbul.example", "İD", "Ärger"},                      // non-ASCII: strings.ToLower
		who{"174FEC9C-412E-45D4-AA82-9A5354608FC7", "=upn", "Backup job"}, // workload: the ID is the principal
		who{"svc", "", ""},
	)
	var st strtab
	first := map[string][3]string{}
	for round := range 2 {
		for _, w := range whos {
			rec := []byte(w.upn + "|" + w.id + "|" + w.name)
			st.setRecord(rec)
			upn := unsafe.String(&rec[0], len(w.upn))
			id := unsafe.String(unsafe.SliceData(rec[len(w.upn)+1:]), len(w.id))
			name := unsafe.String(unsafe.SliceData(rec[len(w.upn)+len(w.id)+2:]), len(w.name))
			e := &event.Event{Principal: st.lowerWho(upn), PrincipalID: id, DisplayName: name}
			wantID := w.id
			if w.id == "=upn" {
				e.PrincipalID, wantID = e.Principal, strings.ToLower(w.upn)
			}
			st.ownWho(e)
			got := [3]string{e.Principal, e.PrincipalID, e.DisplayName}
			if want := [3]string{strings.ToLower(w.upn), wantID, w.name}; got != want {
				t.Fatalf("round %d: ownWho = %q, want %q", round, got, want)
			}
			for _, s := range got {
				if st.borrowed(s) || s != "" && len(st.who.low) > 0 &&
					unsafe.StringData(s) == unsafe.SliceData(st.who.low) {
					t.Fatalf("round %d: %q not owned", round, s)
				}
			}
			k := fmt.Sprint(w)
			if round == 0 {
				first[k] = got
				continue
			}
			for i, s := range got {
				if s != "" && unsafe.StringData(s) != unsafe.StringData(first[k][i]) {
					t.Fatalf("%q copied again", s)
				}
			}
		}
		if round == 0 {
			st.who.resize(minWhoBits) // the second round from the table
		}
	}
	if st.who.bits == minWhoBits {
		t.Errorf("cache still at %d pairs after %d principals", 1<<minWhoBits, len(whos))
	}
	// Ever new principals (a hostile feed): the cache stops growing.
	for i := range 100_000 {
		rec := fmt.Appendf(nil, "attacker-%d@evil.example", i)
		st.setRecord(rec)
		st.ownWho(&event.Event{Principal: unsafe.String(&rec[0], len(rec))})
	}
	if n := len(st.who.slots); n != 2<<maxWhoBits {
		t.Errorf("%d cache slots after 100k principals, want the cap %d", n, 2<<maxWhoBits)
	}
}
