package ti

import (
	"testing"
)

// FuzzParsePattern checks that the STIX pattern parser never panics and
// that what it accepts are valid, masked, unmapped prefixes.
func FuzzParsePattern(f *testing.F) {
	for _, p := range []string{
		"[ipv4-addr:value = '198.51.100.7']",
		"[ipv4-addr:value = '192.0.2.1' OR ipv6-addr:value = '2001:db8:bad::/48'] OR [ipv4-addr:value ISSUBSET '203.0.113.0/24']",
		"[ipv4-addr:value = '192.0.2.50' AND network-traffic:dst_port = 443]",
		"[ipv6-addr:value = '::ffff:192.0.2.1/120']",
		"[ipv4-addr:value = 'a\\'b']",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		ps, err := ParsePattern(pattern)
		if err == nil && len(ps) == 0 {
			t.Fatalf("%q: no prefix and no error", pattern)
		}
		for _, p := range ps {
			if !p.IsValid() || p != p.Masked() || p.Addr().Is4In6() {
				t.Fatalf("%q: bad prefix %v", pattern, p)
			}
		}
	})
}
