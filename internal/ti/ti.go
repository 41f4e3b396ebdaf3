// Package ti holds threat-intelligence address lists: which IPs and
// prefixes are known malicious, looked up per flow with a
// github.com/gaissmai/bart prefix table (longest prefix wins).
//
// Feed files are either address lists, read by internal/enrich/iplist
// (plain lists of addresses, CIDRs and a-b ranges with "#" or ";"
// comments, CSV with or without a header, Tor exit lists; lines that do not
// parse are counted with the first one's file:line), or STIX 2.1 JSON: a
// bundle of objects or a single indicator. A list entry's indicator is its
// line, its name the line's label or comment. Only indicators with
// pattern_type "stix" (or none) whose pattern is a disjunction of
// ipv4-addr/ipv6-addr value comparisons are used, e.g.
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
	"slices"
	"time"

	"github.com/gaissmai/bart"
)

// Entry describes why an address is listed.
type Entry struct {
	Feed       string    `json:"feed"`           // file base name
	Indicator  string    `json:"indicator"`      // STIX indicator ID or "line N"
	Name       string    `json:"name,omitempty"` // STIX name, or the list line's label or comment
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

// FormatSTIX is the Format of STIX feeds in FeedStats; lists have
// iplist's format names.
const FormatSTIX = "stix"

// FeedStats says what loading one feed found.
type FeedStats struct {
	Feed     string `json:"feed"`
	Format   string `json:"format"`              // FormatSTIX or the iplist format detected
	Prefixes int    `json:"prefixes"`            // prefixes read, before merging with other feeds
	Skipped  int    `json:"skipped"`             // bad list lines or unusable indicators
	FirstBad string `json:"first_bad,omitempty"` // "file:line: detail" or "file: indicator: why" of the first
}

// skip counts an unusable line or indicator and keeps the first's detail.
func (st *FeedStats) skip(detail string) {
	st.Skipped++
	if st.FirstBad == "" {
		st.FirstBad = detail
	}
}

// Set is an immutable set of listed prefixes.
type Set struct {
	table bart.Table[*Entry]
	size  int
	feeds []FeedStats
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
		if err := s.add(filepath.Base(p), p, data); err != nil {
			return nil, fmt.Errorf("ti: %s: %w", p, err)
		}
	}
	return s, nil
}

// Parse builds a Set from one feed's content; feed names it in entries.
func Parse(feed string, data []byte) (*Set, error) {
	s := &Set{}
	if err := s.add(feed, feed, data); err != nil {
		return nil, fmt.Errorf("ti: %s: %w", feed, err)
	}
	return s, nil
}

// add reads one feed; path names it in FirstBad and, for lists, its
// extension helps detect the format.
func (s *Set) add(feed, path string, data []byte) error {
	st := FeedStats{Feed: feed, Format: FormatSTIX}
	var err error
	if isJSON(data) {
		err = s.addSTIX(&st, path, data)
	} else {
		err = s.addList(&st, path, data)
	}
	s.feeds = append(s.feeds, st)
	return err
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

// Covers reports whether an entry covers ip, valid at any time: Lookup
// finds nothing for an address no entry covers.
func (s *Set) Covers(ip netip.Addr) bool {
	if s == nil || !ip.IsValid() {
		return false
	}
	_, ok := s.table.Lookup(ip.Unmap())
	return ok
}

// Len is the number of distinct prefixes listed.
func (s *Set) Len() int { return s.size }

// Skipped is how many list lines or indicators could not be used.
func (s *Set) Skipped() int {
	n := 0
	for _, st := range s.feeds {
		n += st.Skipped
	}
	return n
}

// Stats returns what loading each feed found, in load order.
func (s *Set) Stats() []FeedStats { return slices.Clone(s.feeds) }
