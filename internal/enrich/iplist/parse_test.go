package iplist

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPlainLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line, spec, label string
		skip              bool
	}{
		{"1.2.3.4", "1.2.3.4", "", false},
		{"  1.2.3.4  ", "1.2.3.4", "", false},
		{"1.2.3.0/24 # office", "1.2.3.0/24", "office", false},
		{"1.10.16.0/20 ; SBL256894", "1.10.16.0/20", "SBL256894", false},
		{"2001:db8::/32\tlab net", "2001:db8::/32", "lab net", false},
		{"1.2.3.4 label # comment", "1.2.3.4", "label", false},
		{"# comment only", "", "", true},
		{"; comment only", "", "", true},
		{"", "", "", true},
		{"   \t ", "", "", true},
	}
	for _, tt := range tests {
		spec, label, skip, err := plainLine(tt.line)
		if err != nil || spec != tt.spec || label != tt.label || skip != tt.skip {
			t.Errorf("plainLine(%q) = %q, %q, %v, %v; want %q, %q, %v", tt.line, spec, label, skip, err, tt.spec, tt.label, tt.skip)
		}
	}
}

func TestTorExitLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line, spec string
		skip, bad  bool
	}{
		{"ExitAddress 1.2.3.4 2024-01-01 00:00:00", "1.2.3.4", false, false},
		{"ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E", "", true, false},
		{"Published 2024-01-17 03:47:59", "", true, false},
		{"LastStatus 2024-01-17 10:00:00", "", true, false},
		{"@type tor-exit-list 1.0", "", true, false},
		{"", "", true, false},
		{"ExitAddress", "", false, true},
		{"Bogus 1.2.3.4", "", false, true},
	}
	for _, tt := range tests {
		spec, _, skip, err := torExitLine(tt.line)
		if spec != tt.spec || skip != tt.skip || (err != nil) != tt.bad {
			t.Errorf("torExitLine(%q) = %q, %v, %v; want %q, %v, bad=%v", tt.line, spec, skip, err, tt.spec, tt.skip, tt.bad)
		}
	}
}

func TestParseSpec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec string
		want []string
		bad  bool
	}{
		{"1.2.3.4", []string{"1.2.3.4/32"}, false},
		{"2001:db8::1", []string{"2001:db8::1/128"}, false},
		{"::ffff:1.2.3.4", []string{"1.2.3.4/32"}, false},
		{"::ffff:1.2.3.0/120", []string{"1.2.3.0/24"}, false},
		{"10.1.2.3/8", []string{"10.0.0.0/8"}, false}, // host bits masked
		{"10.0.0.0-10.0.0.9", []string{"10.0.0.0/29", "10.0.0.8/31"}, false},
		{"10.0.0.9-10.0.0.0", nil, true},
		{"1.2.3.4/33", nil, true},
		{"fe80::1%eth0", nil, true},
		{"1.2.3", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		var got []string
		err := ParseSpec(tt.spec, func(p netip.Prefix) { got = append(got, p.String()) })
		if (err != nil) != tt.bad {
			t.Errorf("ParseSpec(%q) error = %v, want bad=%v", tt.spec, err, tt.bad)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseSpec(%q) (-want +got):\n%s", tt.spec, diff)
		}
	}
}

func TestCSVLayout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       map[string]string // ip -> label
		bad        int
	}{
		{"Source IP column among others", "Event,Source IP,Destination IP,Note\nx,1.1.1.1,2.2.2.2,hello\n",
			map[string]string{"1.1.1.1": "hello"}, 0},
		{"IPAddress watchlist", "IPAddress\r\n23.102.131.33\r\n82.31.3.4\r\n",
			map[string]string{"23.102.131.33": "", "82.31.3.4": ""}, 0},
		{"ip_address and description", "id,ip_address,description\n7,10.1.0.0/16,lab\n8,,empty\n",
			map[string]string{"10.1.0.0": "lab"}, 1},
		{"cidr column after label", "name,cidr\nedge,192.0.2.0/24\n",
			map[string]string{"192.0.2.0": "edge"}, 0},
		{"unnamed columns fall back per row", "when,what\n2024-01-01,203.0.113.9\n",
			map[string]string{"203.0.113.9": ""}, 0},
		{"no header", "198.51.100.1,scanner\n198.51.100.2\n",
			map[string]string{"198.51.100.1": "scanner", "198.51.100.2": ""}, 0},
		{"zip column is not an address", "zip,ip\n1000,192.0.2.1\n",
			map[string]string{"192.0.2.1": ""}, 0},
		{"short row", "label,extra,ip\nx,y,192.0.2.1\nonly\n",
			map[string]string{"192.0.2.1": "x"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCollector("t.csv")
			if err := parseCSV(strings.NewReader(tt.body), c); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for p, label := range c.table.All() {
				got[p.Addr().String()] = label
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
			if c.badLines != tt.bad {
				t.Errorf("bad lines = %d (%s), want %d", c.badLines, c.firstBad, tt.bad)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, body, want string
	}{
		{"x.csv", "1.2.3.4\n", FormatCSV},
		{"x.CSV", "1.2.3.4\n", FormatCSV},
		{"x.txt", "# a, b, c\n1.2.3.4 # one, two\n", FormatPlain},
		{"x.txt", "; header\n1.2.3.0/24 ; SBL1\n", FormatPlain},
		{"x.txt", "ip,label\n1.2.3.4,x\n", FormatCSV},
		{"exit-addresses", "ExitNode ABC\nExitAddress 1.2.3.4 2024-01-01 00:00:00\n", FormatTorExits},
		{"x", "@type tor-exit-list 1.0\n", FormatTorExits},
		{"x", "", FormatPlain},
	}
	for _, tt := range tests {
		c := newCollector(tt.path)
		got, err := parse(ListConfig{Path: tt.path, Format: FormatAuto}, strings.NewReader(tt.body), c)
		if err != nil || got != tt.want {
			t.Errorf("sniff(%s, %q) = %q, %v; want %q", tt.path, tt.body, got, err, tt.want)
		}
	}
}

func TestBOMSkipped(t *testing.T) {
	t.Parallel()
	c := newCollector("bom.csv")
	body := "\xef\xbb\xbfIPAddress\r\n23.102.131.33\r\n"
	if _, err := parse(ListConfig{Path: "bom.csv", Format: FormatAuto}, strings.NewReader(body), c); err != nil {
		t.Fatal(err)
	}
	if c.table.Size() != 1 || c.badLines != 0 {
		t.Errorf("size %d, bad %d (%s); want 1 entry and no bad line", c.table.Size(), c.badLines, c.firstBad)
	}
}
