package ti

import (
	"bufio"
	"bytes"
	"net/netip"
	"strconv"
	"strings"
)

func isJSON(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
	return len(t) > 0 && t[0] == '{'
}

// addList reads a plain IP/CIDR list.
func (s *Set) addList(feed string, data []byte) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if i := strings.IndexAny(line, " \t,;"); i >= 0 {
			line = line[:i]
		}
		if line == "" {
			continue
		}
		p, ok := parsePrefix(line)
		if !ok {
			s.skipped++
			continue
		}
		s.insert(p, &Entry{Feed: feed, Indicator: "line " + strconv.Itoa(n), Confidence: DefaultConfidence})
	}
}

// parsePrefix accepts an address or a CIDR.
func parsePrefix(v string) (netip.Prefix, bool) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}, false
		}
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-unmapBits(p)), true
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), true
}

// unmapBits is how many bits an IPv4-mapped IPv6 prefix loses when unmapped.
func unmapBits(p netip.Prefix) int {
	if p.Addr().Is4In6() {
		if p.Bits() < 96 {
			return p.Bits() // becomes /0
		}
		return 96
	}
	return 0
}
