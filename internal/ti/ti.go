// Package ti holds threat-intelligence address lists: which IPs and
// prefixes are known malicious, looked up per flow with a
// github.com/gaissmai/bart prefix table (longest prefix wins).
//
// Feed files are either plain lists, one IPv4/IPv6 address or CIDR per
// line ("#" starts a comment, anything after the first space, tab or comma
// is ignored), or STIX 2.1 JSON: a bundle of objects or a single indicator.
// Only indicators with pattern_type "stix" (or none) whose pattern is a
// disjunction of ipv4-addr/ipv6-addr value comparisons are used, e.g.
//
//	[ipv4-addr:value = '198.51.100.7']
//	[ipv4-addr:value = '198.51.100.7' OR ipv6-addr:value = '2001:db8::/32']
//	[ipv4-addr:value ISSUBSET '203.0.113.0/24'] OR [ipv4-addr:value = '192.0.2.1']
//
// Patterns that AND an address with other conditions, or use qualifiers,
// are skipped: the address alone is not the indicator. Revoked indicators
// are skipped; valid_from/valid_until are kept and checked against the
// flow's own time at lookup.
package ti

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/gaissmai/bart"
)

// Entry describes why an address is listed.
type Entry struct {
	Feed       string    `json:"feed"`      // file base name
	Indicator  string    `json:"indicator"` // STIX indicator ID or "line N"
	Name       string    `json:"name,omitempty"`
	Prefix     string    `json:"prefix"`
	Confidence float64   `json:"confidence"` // 0-1; STIX confidence/100, DefaultConfidence otherwise
	ValidFrom  time.Time `json:"valid_from,omitzero"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// DefaultConfidence is given to list entries and STIX indicators without a
// confidence property.
const DefaultConfidence = 0.7

// Matcher looks up an address at a point in (event) time.
type Matcher interface {
	Lookup(ip netip.Addr, t time.Time) (Entry, bool)
}

// Set is an immutable set of listed prefixes.
type Set struct {
	table   bart.Table[*Entry]
	size    int
	skipped int
}

var _ Matcher = (*Set)(nil)

// ErrEmptyPath is returned for an empty feed path.
var ErrEmptyPath = errors.New("empty feed path")

// Load reads the feed files at paths into one Set.
func Load(paths []string) (*Set, error) {
	s := &Set{}
	for _, p := range paths {
		if p == "" {
			return nil, fmt.Errorf("ti: %w", ErrEmptyPath)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("ti: %w", err)
		}
		if err := s.add(filepath.Base(p), data); err != nil {
			return nil, fmt.Errorf("ti: %s: %w", p, err)
		}
	}
	return s, nil
}

// Parse builds a Set from one feed's content; feed names it in entries.
func Parse(feed string, data []byte) (*Set, error) {
	s := &Set{}
	if err := s.add(feed, data); err != nil {
		return nil, fmt.Errorf("ti: %s: %w", feed, err)
	}
	return s, nil
}

func (s *Set) add(feed string, data []byte) error {
	if isJSON(data) {
		return s.addSTIX(feed, data)
	}
	s.addList(feed, data)
	return nil
}

func (s *Set) insert(p netip.Prefix, e *Entry) {
	p = p.Masked()
	e.Prefix = p.String()
	if _, ok := s.table.Get(p); !ok {
		s.size++
	}
	s.table.Insert(p, e)
}

// Lookup returns the most specific entry covering ip that is valid at t.
// A zero t skips the validity check.
func (s *Set) Lookup(ip netip.Addr, t time.Time) (Entry, bool) {
	if s == nil || !ip.IsValid() {
		return Entry{}, false
	}
	e, ok := s.table.Lookup(ip.Unmap())
	if !ok {
		return Entry{}, false
	}
	if !t.IsZero() && ((!e.ValidFrom.IsZero() && t.Before(e.ValidFrom)) || (!e.ValidUntil.IsZero() && !t.Before(e.ValidUntil))) {
		return Entry{}, false
	}
	return *e, true
}

// Len is the number of distinct prefixes listed.
func (s *Set) Len() int { return s.size }

// Skipped is how many lines or indicators could not be used.
func (s *Set) Skipped() int { return s.skipped }
