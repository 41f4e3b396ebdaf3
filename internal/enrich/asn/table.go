package asn

import (
	"encoding/binary"
	"net/netip"
)

// Range is one row of the source data: the addresses From..To belong to
// AS number ASN, named Org.
type Range struct {
	From, To netip.Addr
	ASN      uint32
	Org      string
}

// Table maps addresses to autonomous systems. Each family is a sorted list
// of range starts; a range runs to the next start, and gaps are ranges of
// AS 0. Names are kept once per AS; a range refers to its AS by index + 1
// (0 for a gap). v4Index[p] is the first IPv4 range starting at or after
// p<<16, so a lookup searches only its /16 (a few entries) instead of the
// whole table: the difference between 2 µs and 0.2 µs per address when
// the table is not in cache.
type Table struct {
	v4Start []uint32
	v4ASN   []uint32 // index + 1 into asns
	v4Index []uint32 // 65537 entries
	v6Start [][2]uint64
	v6ASN   []uint32 // index + 1 into asns
	asns    []uint32 // sorted
	// The names and classes are pointer-free, so that the garbage
	// collector need not scan a hundred thousand strings at every cycle:
	// asns[i] is named orgText[orgEnd[i-1]:orgEnd[i]] and classified
	// classes[i] (a classCodes index).
	orgText string
	orgEnd  []uint32
	classes []uint8
}

// classCodes are the classes by their code in an encoded table.
var classCodes = [...]Class{ClassNone, ClassMicrosoft, ClassCloud, ClassMobile, ClassHosting}

// classCode returns c's code.
func classCode(c Class) uint8 {
	for i, k := range classCodes {
		if k == c {
			return uint8(i)
		}
	}
	panic("asn: class " + string(c) + " has no code")
}

// org returns the name of asns[i].
func (t *Table) org(i int) string {
	start := uint32(0)
	if i > 0 {
		start = t.orgEnd[i-1]
	}
	return t.orgText[start:t.orgEnd[i]]
}

// class returns the class of asns[i].
func (t *Table) class(i int) Class { return classCodes[t.classes[i]] }

// index builds the /16 index of the IPv4 ranges.
func (t *Table) index() {
	t.v4Index = make([]uint32, 1<<16+1)
	j := 0
	for p := range 1<<16 + 1 {
		for j < len(t.v4Start) && uint64(t.v4Start[j]) < uint64(p)<<16 {
			j++
		}
		t.v4Index[p] = uint32(j)
	}
}

// halves is an address as two big-endian 64-bit halves; IPv4 in the low
// half of the low word.
func halves(a netip.Addr) [2]uint64 {
	if a.Is4() {
		b := a.As4()
		return [2]uint64{0, uint64(binary.BigEndian.Uint32(b[:]))}
	}
	b := a.As16()
	return [2]uint64{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}
