package iplist

import (
	"net/netip"

	"github.com/gaissmai/bart"
)

// list is one loaded list: its prefixes, each with its label.
type list struct {
	name     string
	category Category
	table    *bart.Table[string]
}

// Set is a loaded collection of lists. It is immutable once built and safe
// for concurrent Lookup. The nil *Set is empty.
type Set struct {
	lists []list
	stats []ListStats
	size  int
}

// Lookup returns one Entry per list that contains ip, in configuration
// order; the label is that of the most specific prefix in each list. It
// returns nil, and allocates nothing, when no list contains ip.
func (s *Set) Lookup(ip netip.Addr) []Entry {
	if s == nil {
		return nil
	}
	ip = ip.Unmap()
	var out []Entry
	for i := range s.lists {
		l := &s.lists[i]
		if label, ok := l.table.Lookup(ip); ok {
			out = append(out, Entry{Category: l.category, List: l.name, Label: label})
		}
	}
	return out
}

// Has returns the first list of category c (in configuration order) that
// contains ip.
func (s *Set) Has(ip netip.Addr, c Category) (Entry, bool) {
	if s == nil {
		return Entry{}, false
	}
	ip = ip.Unmap()
	for i := range s.lists {
		l := &s.lists[i]
		if l.category != c {
			continue
		}
		if label, ok := l.table.Lookup(ip); ok {
			return Entry{Category: l.category, List: l.name, Label: label}, true
		}
	}
	return Entry{}, false
}

// Len returns the number of prefixes over all lists.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return s.size
}

// Stats returns what loading each list found, in configuration order.
func (s *Set) Stats() []ListStats {
	if s == nil {
		return nil
	}
	return append([]ListStats(nil), s.stats...)
}
