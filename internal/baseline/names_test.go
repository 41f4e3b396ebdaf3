package baseline

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

// Lookup finds each principal by any copy of its name, in any order, as
// the tenant grows past the sizes of its name cache; a name of the same
// length as a cached one, never learned, is not found; and a restored
// tenant finds its principals again.
func TestLookupByNameCopies(t *testing.T) {
	t.Parallel()
	b := New(DefaultConfig())
	const n = 3000
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("user%05d@contoso.com", i)
		e := signin(t0, strings.Clone(names[i]), "81.2.69.160", "GB", event.ResultSuccess)
		b.Learn(e)
		if i%500 == 0 { // look up all learned so far, growing the cache
			check(t, b.Tenant("contoso"), names[:i+1])
		}
	}
	tn := b.Tenant("contoso")
	check(t, tn, names)
	if _, _, ok := tn.Lookup("userXXXXX@contoso.com"); ok {
		t.Error("an unknown name of a known length is found")
	}
	check(t, restored(t, b).Tenant("contoso"), names)
}

// check looks names up by two copies each, twice, interleaved.
func check(t *testing.T, tn *Tenant, names []string) {
	t.Helper()
	copies := [2][]string{}
	for k := range copies {
		for _, s := range names {
			copies[k] = append(copies[k], strings.Clone(s))
		}
	}
	for round := range 2 {
		for j := range names {
			i := (j * 7919) % len(names)
			for k := range copies {
				idx, p, ok := tn.Lookup(copies[k][i])
				if !ok || p.Name != names[i] || tn.Principals[idx].Name != names[i] {
					t.Fatalf("round %d: Lookup(%q) = %d (%+v), %v", round, names[i], idx, p != nil, ok)
				}
			}
		}
	}
}

// Touch finds the principal Lookup finds (by another copy of its name
// too, once looked up), nothing for an unknown principal or another
// tenant, and changes no state.
func TestTouchFindsWithoutChanging(t *testing.T) {
	t.Parallel()
	b := New(DefaultConfig())
	for _, who := range []string{"a@contoso.com", "b@contoso.com", "c@contoso.com"} {
		b.Learn(signin(t0, who, "81.2.69.160", "GB", event.ResultSuccess))
	}
	tn := b.Tenant("contoso")
	before, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Clone("b@contoso.com")
	idx, _, _ := tn.Lookup(name)
	for _, tc := range []struct {
		e    *event.Event
		want uint32
	}{
		{signin(t0, name, "81.2.69.160", "GB", event.ResultSuccess), idx + 1},
		{signin(t0, "d@contoso.com", "81.2.69.160", "GB", event.ResultSuccess), 0},
		{&event.Event{Tenant: "fabrikam", Principal: name}, 0},
	} {
		if got, _ := b.Touch(tc.e); got != tc.want {
			t.Errorf("Touch(%s/%s) = %d, want %d", tc.e.Tenant, tc.e.Principal, got, tc.want)
		}
	}
	r := New(DefaultConfig())
	if err := r.UnmarshalBinary(before); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.tenants, b.tenants, stateOpts...); diff != "" {
		t.Errorf("Touch changed the state (-before +after):\n%s", diff)
	}
}

// A cached address whose bytes now hold another name (a string freed and
// its memory reused, emulated by rewriting the bytes in place) finds the
// principal of the name it holds now, or none, never the cached one.
func TestLookupAddressReused(t *testing.T) {
	t.Parallel()
	b := New(DefaultConfig())
	for _, who := range []string{"alice@contoso.com", "carol@contoso.com"} {
		b.Learn(signin(t0, who, "81.2.69.160", "GB", event.ResultSuccess))
	}
	tn := b.Tenant("contoso")
	buf := []byte("alice@contoso.com")
	name := unsafe.String(&buf[0], len(buf))
	if _, p, ok := tn.Lookup(name); !ok || p.Name != "alice@contoso.com" {
		t.Fatalf("Lookup(alice) = %v, %v", p, ok)
	}
	tn.lastName = "" // past the last-hit shortcut, to the name cache
	copy(buf, "carol@contoso.com")
	if _, p, ok := tn.Lookup(name); !ok || p.Name != "carol@contoso.com" {
		t.Errorf("the reused address finds %+v, %v; want carol", p, ok)
	}
	tn.lastName = ""
	copy(buf, "mallo@contoso.com")
	if _, p, ok := tn.Lookup(name); ok {
		t.Errorf("a name never learned, at a cached address, finds %s", p.Name)
	}
}
