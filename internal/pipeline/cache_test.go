package pipeline

import (
	"net/netip"
	"testing"
	"unsafe"

	"github.com/vedette/vedette/internal/enrich/geoip"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/prefetch"
)

// Every address gets its own answer, however many there are and however
// they alternate: the table grows to hold them all (each is asked once),
// and beyond its largest size it starts over, answering right still.
func TestAddrTableAnswers(t *testing.T) {
	t.Parallel()
	real := geoip.NewBuiltin()
	missing := netip.MustParseAddr("2001:db8::1") // documentation prefix: never located
	for _, n := range []int{3000, 1<<(maxAddrBits-1) + 5000} {
		addrs := make([]netip.Addr, n)
		ip := netip.MustParseAddr("81.2.69.1")
		for i := range addrs {
			addrs[i], ip = ip, ip.Next()
			if i%7 == 0 { // spread over networks too
				a := ip.As4()
				a[1] += 13
				ip = netip.AddrFrom4(a)
			}
		}
		addrs[n/2] = missing
		calls := 0
		p := New(Options{}, nil, Deps{Locator: countingLocator{real, &calls}})
		for round := range 2 {
			for i := range addrs {
				// alternate between far-apart addresses
				ip := addrs[(i*7919)%n]
				got, ok := p.lookup(refTo(ip))
				want, wantOK := real.Locate(ip)
				if got != want || ok != wantOK {
					t.Fatalf("%d addresses, round %d: lookup(%s) = %+v, %v; want %+v, %v", n, round, ip, got, ok, want, wantOK)
				}
			}
		}
		switch held := n <= 1<<(maxAddrBits-1); {
		case held && calls != n:
			t.Errorf("%d addresses: locator asked %d times, want once each", n, calls)
		case !held && (calls <= n || calls > 2*n):
			t.Errorf("%d addresses, more than the table holds: locator asked %d times, want between %d and %d", n, calls, n+1, 2*n)
		}
		if len(p.addrs.slots) > 1<<maxAddrBits {
			t.Errorf("%d addresses: %d slots, want at most %d", n, len(p.addrs.slots), 1<<maxAddrBits)
		}
	}
}

// An address with a zone is answered, not cached: the table's key has no
// zone.
func TestAddrTableZone(t *testing.T) {
	t.Parallel()
	zoned, plain := netip.MustParseAddr("fe80::1%eth0"), netip.MustParseAddr("fe80::1")
	locs := fixedLocator{zoned: {Country: "GB", Source: "mmdb"}, plain: {Country: "FR", Source: "mmdb"}}
	p := New(Options{}, nil, Deps{Locator: locs})
	for range 2 {
		for _, ip := range []netip.Addr{zoned, plain} {
			if got, _ := p.lookup(refTo(ip)); got != locs[ip] {
				t.Errorf("lookup(%s) = %+v, want %+v", ip, got, locs[ip])
			}
		}
	}
}

type countingLocator struct {
	Locator
	calls *int
}

func (c countingLocator) Locate(ip netip.Addr) (event.Location, bool) {
	*c.calls++
	return c.Locator.Locate(ip)
}

// A slot is one cache line: an event's enrichment reads one.
func TestAddrSlotIsOneLine(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is that of 64-bit pointers")
	}
	if n := unsafe.Sizeof(addrInfo{}); n != prefetch.CacheLine {
		t.Errorf("addrInfo is %d bytes, want %d", n, prefetch.CacheLine)
	}
}
