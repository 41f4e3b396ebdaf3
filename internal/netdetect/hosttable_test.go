package netdetect

import (
	"fmt"
	"net/netip"
	"testing"
)

// TestHostTable adds 20,000 keys (IPv4, IPv6, a zoned address, the same
// addresses in three scopes) through several resizes and finds each one's
// own aggregate, and only those.
func TestHostTable(t *testing.T) {
	t.Parallel()
	type key struct {
		scope string
		ip    netip.Addr
	}
	var keys []key
	for i := range 5000 {
		v4 := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		v6 := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 12: byte(i >> 24), 13: byte(i >> 16), 14: byte(i >> 8), 15: byte(i)})
		keys = append(keys, key{"", v4}, key{"sub-a", v4}, key{"sub-b", v4}, key{"", v6})
	}
	keys = append(keys, key{"", netip.MustParseAddr("fe80::1").WithZone("eth0")}, key{"", netip.MustParseAddr("fe80::1")},
		key{"sub-a", netip.MustParseAddr("fe80::1").WithZone("eth1")})
	tab := newHostTable()
	for i, k := range keys {
		if h := tab.get(k.scope, k.ip); h != nil {
			t.Fatalf("%v found before it was added", k)
		}
		tab.add(k.scope, k.ip).flows = uint32(i)
	}
	if tab.n != len(keys) {
		t.Fatalf("n = %d, want %d", tab.n, len(keys))
	}
	for i, k := range keys {
		if h := tab.get(k.scope, k.ip); h == nil || h.flows != uint32(i) {
			t.Fatalf("%v: got %+v, want flows %d", k, h, i)
		}
	}
	for _, k := range []key{{"sub-c", keys[0].ip}, {"", netip.MustParseAddr("10.255.0.1")},
		{"", netip.MustParseAddr("fe80::1").WithZone("eth1")}} {
		if h := tab.get(k.scope, k.ip); h != nil {
			t.Errorf("%v found: %+v", k, h)
		}
	}
	seen := map[key]bool{}
	tab.each(func(k hostKey, h hourView) {
		if want := keys[h.flows]; want != (key{k.scope, k.ip}) {
			t.Fatalf("each gave %v for %v's aggregate", k, want)
		}
		seen[key{k.scope, k.ip}] = true
	})
	if len(seen) != len(keys) {
		t.Errorf("each visited %d keys, want %d", len(seen), len(keys))
	}
}

// TestChunkOf: slab indexes map one to one onto chunk entries, each chunk
// filled in order.
func TestChunkOf(t *testing.T) {
	t.Parallel()
	var s slab[int]
	for i := range 3000 {
		j, p := s.add()
		if j != uint32(i) || *p != 0 {
			t.Fatalf("add %d: index %d, value %d", i, j, *p)
		}
		*p = i + 1
	}
	for i := range 3000 {
		if got := *s.at(uint32(i)); got != i+1 {
			t.Fatalf("at(%d) = %d", i, got-1)
		}
	}
	sizes := fmt.Sprint(len(s.chunks[0]), len(s.chunks[1]), len(s.chunks[5]), len(s.chunks[6]), len(s.chunks))
	if sizes != "8 16 256 256 16" {
		t.Errorf("chunk sizes %s", sizes)
	}
}
