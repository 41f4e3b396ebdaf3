package iplist

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/gaissmai/bart"
)

// benchSet builds a Set of n random prefixes over four lists, about the
// size of a large threat feed plus Tor and VPN lists, without files.
func benchSet(n int) (*Set, []netip.Addr) {
	rng := rand.New(rand.NewPCG(1, 2))
	cats := []Category{Malicious, TorExit, VPN, AnonymousProxy}
	s := &Set{}
	var probes []netip.Addr
	for _, c := range cats {
		t := new(bart.Table[string])
		for t.Size() < n/len(cats) {
			p := randomPrefix(rng)
			t.Insert(p, "feed label")
			if len(probes) < 1024 {
				probes = append(probes, p.Addr())
			}
		}
		s.lists = append(s.lists, list{name: string(c), category: c, table: t})
		s.size += t.Size()
	}
	for len(probes) < 2048 { // misses, mostly
		probes = append(probes, netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())}))
	}
	return s, probes
}

func randomPrefix(rng *rand.Rand) netip.Prefix {
	if rng.IntN(10) == 0 {
		var a [16]byte
		a[0], a[1] = 0x20, 0x01+byte(rng.IntN(0x0f))
		for i := 2; i < 8; i++ {
			a[i] = byte(rng.Uint32())
		}
		return netip.PrefixFrom(netip.AddrFrom16(a), 32+rng.IntN(97)).Masked()
	}
	v := rng.Uint32()
	bits := []int{32, 32, 32, 32, 24, 24, 22, 20, 16}[rng.IntN(9)]
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), bits).Masked()
}

func BenchmarkLookup(b *testing.B) {
	s, probes := benchSet(100_000)
	b.Logf("%d prefixes in %d lists", s.Len(), len(s.lists))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = s.Lookup(probes[i%len(probes)])
		i++
	}
}

func BenchmarkHas(b *testing.B) {
	s, probes := benchSet(100_000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = s.Has(probes[i%len(probes)], Malicious)
		i++
	}
}

func BenchmarkLoadPlain(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load([]ListConfig{{Path: "testdata/corporate.txt", Category: Corporate}}); err != nil {
			b.Fatal(err)
		}
	}
}
