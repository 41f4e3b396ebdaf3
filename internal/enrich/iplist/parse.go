package iplist

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"go4.org/netipx"
)

// maxLine bounds one line; a longer one is a read error, not a bad line,
// since such a file is not a list.
const maxLine = 1 << 20

// lineFunc parses one line (without its end of line). It returns the
// address specification and its label, skip for lines that carry nothing
// (blank, comment, other record lines), or an error detail.
type lineFunc func(line string) (spec, label string, skip bool, err error)

// parseLines feeds each line of r through fn into c.
func parseLines(r io.Reader, c *collector, fn lineFunc) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		c.line = n
		spec, label, skip, err := fn(sc.Text())
		if err == nil && !skip {
			err = addSpec(spec, label, c)
		}
		if err != nil {
			c.bad(n, err.Error())
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", c.path, n+1, err)
	}
	return nil
}

func addSpec(spec, label string, c *collector) error {
	return ParseSpec(spec, func(p netip.Prefix) { c.add(p, label) })
}

// plainLine parses "1.2.3.4", "10.0.0.0/8", "2001:db8::/32" or
// "1.2.3.4-1.2.3.9", optionally followed by a label and by a "#" or ";"
// comment (Spamhaus DROP writes "1.10.16.0/20 ; SBL256894"). The comment
// is the label when there is no other.
func plainLine(line string) (spec, label string, skip bool, err error) {
	comment := ""
	if i := strings.IndexAny(line, "#;"); i >= 0 {
		line, comment = line[:i], strings.TrimSpace(line[i+1:])
	}
	spec = strings.TrimSpace(line)
	if spec == "" {
		return "", "", true, nil
	}
	if i := strings.IndexAny(spec, " \t"); i >= 0 {
		spec, label = spec[:i], strings.TrimSpace(spec[i+1:])
	}
	if label == "" {
		label = comment
	}
	return spec, label, false, nil
}

// torExitLine takes the address of "ExitAddress 1.2.3.4 2024-01-01
// 00:00:00" lines; ExitNode, Published and LastStatus lines and CollecTor's
// "@type" and "Downloaded" headers are skipped. The relay fingerprint is
// not kept: it comes from another line, and addresses are what is matched.
func torExitLine(line string) (spec, label string, skip bool, err error) {
	fields := strings.Fields(line)
	if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
		return "", "", true, nil
	}
	switch fields[0] {
	case "ExitAddress":
		if len(fields) < 2 {
			return "", "", false, errors.New("ExitAddress without an address")
		}
		return fields[1], "", false, nil
	case "ExitNode", "Published", "LastStatus", "@type", "Downloaded":
		return "", "", true, nil
	}
	return "", "", false, fmt.Errorf("unknown record %q", truncate(fields[0]))
}

// ParseSpec parses an address, a prefix or an inclusive range
// ("1.2.3.4-1.2.3.9") and calls emit with the masked prefixes it covers,
// IPv4-mapped IPv6 turned into IPv4. The error is a short detail quoting s.
func ParseSpec(s string, emit func(netip.Prefix)) error {
	s = strings.TrimSpace(s)
	switch {
	case strings.Contains(s, "/"):
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return fmt.Errorf("bad prefix %q", truncate(s))
		}
		emit(unmapPrefix(p.Masked()))
	case strings.Contains(s, "-"):
		r, err := netipx.ParseIPRange(s)
		if err != nil || !r.IsValid() {
			return fmt.Errorf("bad range %q", truncate(s))
		}
		for _, p := range r.Prefixes() {
			emit(unmapPrefix(p))
		}
	default:
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return fmt.Errorf("bad address %q", truncate(s))
		}
		a = a.Unmap()
		emit(netip.PrefixFrom(a, a.BitLen()))
	}
	return nil
}

// unmapPrefix turns ::ffff:a.b.c.d/n (n >= 96) into a.b.c.d/(n-96), as
// lookups unmap addresses too.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if !p.Addr().Is4In6() || p.Bits() < 96 {
		return p
	}
	return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
}

// truncate keeps error details short when a line is garbage.
func truncate(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
