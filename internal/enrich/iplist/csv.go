package iplist

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
)

// Header names of the address column, best first, compared lower case
// without spaces, dashes or underscores.
var addrColumns = []string{
	"ip", "ipaddress", "address", "cidr", "network", "prefix", "subnet", "iprange", "range",
	"sourceip", "sourceipaddress", "srcip", "clientip", "remoteip", "callerip", "calleripaddress",
}

// Header words that mark an address column when no name matches whole
// ("Source IP", "ip_v4", "Exit-Address").
var addrWords = []string{"ip", "ipaddress", "ipv4", "ipv6", "cidr", "address"}

// Header names of the label column.
var labelColumns = []string{
	"label", "provider", "name", "comment", "comments", "description", "note", "notes",
	"tag", "owner", "vendor", "service",
}

// csvLayout says where the address and label are: fixed columns from a
// header, or (addr < 0) the first column that parses, with the next one as
// label.
type csvLayout struct {
	addr, label int
}

// parseCSV reads a CSV list: a header line is allowed (it is recognised by
// having no address in it) and names the address column; without one, the
// first column that parses as an address is used.
func parseCSV(r io.Reader, c *collector) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	cr.Comment = '#'
	layout := csvLayout{addr: -1, label: -1}
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
			c.bad(pe.StartLine, pe.Err.Error())
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", c.path, err)
		}
		line, _ := cr.FieldPos(0)
		c.line = line
		if first && isHeader(rec) {
			layout = headerLayout(rec)
			continue
		}
		if detail := layout.add(rec, c); detail != "" {
			c.bad(line, detail)
		}
	}
}

// add adds the record's address; it returns a detail when there is none.
func (l csvLayout) add(rec []string, c *collector) string {
	addr, label := l.addr, l.label
	if addr < 0 {
		addr = firstAddrColumn(rec)
		if addr < 0 {
			return "no address column"
		}
		label = addr + 1
	}
	if addr >= len(rec) {
		return fmt.Sprintf("no column %d", addr+1)
	}
	lab := ""
	if label >= 0 && label < len(rec) {
		lab = strings.TrimSpace(rec[label])
	}
	spec := strings.TrimSpace(rec[addr])
	if spec == "" {
		return "empty address"
	}
	if err := addSpec(spec, lab, c); err != nil {
		return err.Error()
	}
	return ""
}

func isHeader(rec []string) bool { return firstAddrColumn(rec) < 0 }

func firstAddrColumn(rec []string) int {
	for i, f := range rec {
		if ParseSpec(f, func(netip.Prefix) {}) == nil {
			return i
		}
	}
	return -1
}

// headerLayout finds the address and label columns by name. When no
// column is named like an address, rows fall back to their first address.
func headerLayout(header []string) csvLayout {
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = normalizeHeader(h)
	}
	l := csvLayout{addr: findColumn(names, addrColumns), label: findColumn(names, labelColumns)}
	if l.addr < 0 {
		l.addr = findWordColumn(header, addrWords)
	}
	if l.addr < 0 {
		l.label = -1 // rows use the column after their address
	}
	return l
}

func normalizeHeader(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		if r != ' ' && r != '_' && r != '-' && r != '.' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// findColumn returns the column of the best-ranked wanted name.
func findColumn(names, wanted []string) int {
	for _, w := range wanted {
		for i, n := range names {
			if n == w {
				return i
			}
		}
	}
	return -1
}

// findWordColumn returns the first column one of whose words is wanted.
func findWordColumn(header, wanted []string) int {
	for i, h := range header {
		words := strings.FieldsFunc(strings.ToLower(h), func(r rune) bool {
			return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
		})
		for _, w := range words {
			for _, x := range wanted {
				if w == x {
					return i
				}
			}
		}
	}
	return -1
}
