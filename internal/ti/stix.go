package ti

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/enrich/iplist"
)

// stixObject holds the indicator properties used; other objects in a bundle
// are ignored.
type stixObject struct {
	Type        string       `json:"type"`
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Pattern     string       `json:"pattern"`
	PatternType string       `json:"pattern_type"`
	ValidFrom   time.Time    `json:"valid_from"`
	ValidUntil  time.Time    `json:"valid_until"`
	Revoked     bool         `json:"revoked"`
	Confidence  *int         `json:"confidence"`
	Objects     []stixObject `json:"objects"`
}

// ErrNotSTIX means a JSON feed is neither a STIX bundle nor an indicator.
var ErrNotSTIX = errors.New("json feed is not a stix bundle or indicator")

func (s *Set) addSTIX(st *FeedStats, path string, data []byte) error {
	var doc stixObject
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("decode stix: %w", err)
	}
	switch doc.Type {
	case "bundle":
		for i := range doc.Objects {
			if doc.Objects[i].Type == "indicator" {
				s.addIndicator(st, path, &doc.Objects[i])
			}
		}
	case "indicator":
		s.addIndicator(st, path, &doc)
	default:
		return ErrNotSTIX
	}
	return nil
}

func (s *Set) addIndicator(st *FeedStats, path string, o *stixObject) {
	prefixes, err := indicatorPrefixes(o)
	if err != nil {
		st.skip(fmt.Sprintf("%s: %s: %v", path, o.ID, err))
		return
	}
	conf := DefaultConfidence
	if o.Confidence != nil {
		conf = min(max(float64(*o.Confidence)/100, 0), 1)
	}
	for _, p := range prefixes {
		st.Prefixes++
		s.insert(p, &Entry{
			Feed: st.Feed, Indicator: o.ID, Name: o.Name, Confidence: conf,
			ValidFrom: o.ValidFrom, ValidUntil: o.ValidUntil,
		})
	}
}

// indicatorPrefixes returns the prefixes of a usable indicator, or why it
// is not used.
func indicatorPrefixes(o *stixObject) ([]netip.Prefix, error) {
	if o.Revoked {
		return nil, errRevoked
	}
	if o.PatternType != "" && o.PatternType != "stix" {
		return nil, fmt.Errorf("pattern_type %q", o.PatternType)
	}
	return ParsePattern(o.Pattern)
}

var errRevoked = errors.New("revoked")

// ErrPattern means a STIX pattern is not a pure disjunction of address
// comparisons.
var ErrPattern = errors.New("unsupported stix pattern")

// ParsePattern returns the prefixes of a STIX pattern made only of
// ipv4-addr:value / ipv6-addr:value comparisons (= or ISSUBSET) joined by OR,
// within one or several OR-ed observation expressions.
func ParsePattern(pattern string) ([]netip.Prefix, error) {
	toks, err := tokenize(pattern)
	if err != nil {
		return nil, err
	}
	var out []netip.Prefix
	for i := 0; i < len(toks); {
		switch t := toks[i]; {
		case t == "[" || t == "]" || t == "(" || t == ")" || strings.EqualFold(t, "OR"):
			i++
		case strings.HasPrefix(t, "ipv4-addr:value") || strings.HasPrefix(t, "ipv6-addr:value"):
			p, n, err := comparison(toks[i:])
			if err != nil {
				return nil, err
			}
			out = append(out, p)
			i += n
		default:
			return nil, fmt.Errorf("%w: %q", ErrPattern, t)
		}
	}
	if len(out) == 0 {
		return nil, ErrPattern
	}
	return out, nil
}

// comparison parses "path op 'literal'".
func comparison(toks []string) (netip.Prefix, int, error) {
	if len(toks) < 3 || (toks[1] != "=" && !strings.EqualFold(toks[1], "ISSUBSET")) {
		return netip.Prefix{}, 0, fmt.Errorf("%w: comparison", ErrPattern)
	}
	lit := toks[2]
	if len(lit) < 2 || lit[0] != '\'' || lit[len(lit)-1] != '\'' {
		return netip.Prefix{}, 0, fmt.Errorf("%w: literal %q", ErrPattern, lit)
	}
	// An address or a CIDR; iplist's ranges are not STIX values.
	var p netip.Prefix
	addr := lit[1 : len(lit)-1]
	if strings.Contains(addr, "-") || iplist.ParseSpec(addr, func(q netip.Prefix) { p = q }) != nil {
		return netip.Prefix{}, 0, fmt.Errorf("%w: address %q", ErrPattern, lit)
	}
	return p, 3, nil
}

// tokenize splits a pattern into brackets, quoted literals and words.
func tokenize(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '[' || c == ']' || c == '(' || c == ')' || c == '=':
			toks = append(toks, s[i:i+1])
			i++
		case c == '\'':
			j := i + 1
			for j < len(s) && s[j] != '\'' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, fmt.Errorf("%w: unterminated literal", ErrPattern)
			}
			toks = append(toks, s[i:j+1])
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n[]()='", rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}
