package pipeline

import (
	"net/netip"
	"testing"

	"github.com/vedette/vedette/internal/event"
)

// Addresses that share a cache slot each get their own answer, however
// they alternate, and a miss is cached like a hit.
func TestLookupCacheCollisions(t *testing.T) {
	var c addrCache[event.Location]
	a := netip.MustParseAddr("81.2.69.1")
	b := a
	for b = b.Next(); c.slot(b) != c.slot(a); b = b.Next() {
	}
	missing := netip.MustParseAddr("2001:db8::1")
	locs := fixedLocator{
		a: {Country: "GB", City: "London", Source: "mmdb"},
		b: {Country: "FR", City: "Paris", Source: "mmdb"},
	}
	calls := 0
	p := New(Options{}, nil, Deps{Locator: countingLocator{locs, &calls}})
	for range 3 {
		for _, ip := range []netip.Addr{a, a, b, b, a, missing, missing} {
			got, ok := p.lookup(ip)
			want, wantOK := locs[ip]
			if got != want || ok != wantOK {
				t.Fatalf("lookup(%s) = %+v, %v; want %+v, %v", ip, got, ok, want, wantOK)
			}
		}
	}
	// a and b evict each other (b, then a again, in every round, and a's
	// first lookup); the missing address is asked once.
	if want := 3*2 + 1 + 1; calls != want {
		t.Errorf("locator asked %d times, want %d", calls, want)
	}
}

type countingLocator struct {
	fixedLocator
	calls *int
}

func (c countingLocator) Locate(ip netip.Addr) (event.Location, bool) {
	*c.calls++
	return c.fixedLocator.Locate(ip)
}
