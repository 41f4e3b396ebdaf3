package iplist

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadFormats(t *testing.T) {
	t.Parallel()
	type lookup struct {
		ip   string
		want []Entry
	}
	tests := []struct {
		name    string
		cfg     ListConfig
		want    ListStats
		lookups []lookup
	}{
		{
			name: "tor bulk exit list",
			cfg:  ListConfig{Path: "testdata/tor-bulk-exit-list.txt", Category: TorExit},
			want: ListStats{Name: "tor-bulk-exit-list", Format: FormatPlain, Entries: 18},
			lookups: []lookup{
				{"185.220.101.34", []Entry{{TorExit, "tor-bulk-exit-list", ""}}},
				{"2a0b:f4c2::40", []Entry{{TorExit, "tor-bulk-exit-list", ""}}},
				{"185.220.101.35", nil},
			},
		},
		{
			name: "tor exit-addresses",
			cfg:  ListConfig{Path: "testdata/tor-exit-addresses.txt", Category: TorExit, Name: "tor"},
			want: ListStats{
				Name: "tor", Format: FormatTorExits, Entries: 5, BadLines: 1,
				FirstBad: `testdata/tor-exit-addresses.txt:23: bad range "not-an-address"`,
			},
			lookups: []lookup{
				{"193.218.118.183", []Entry{{TorExit, "tor", ""}}},
				{"2a0b:f4c2:2::1", []Entry{{TorExit, "tor", ""}}},
				{"162.247.74.200", nil},
			},
		},
		{
			name: "spamhaus drop with ; comments",
			cfg:  ListConfig{Path: "testdata/spamhaus-drop.txt", Category: Malicious, Format: FormatPlain, Name: "drop"},
			want: ListStats{Name: "drop", Format: FormatPlain, Entries: 10},
			lookups: []lookup{
				{"175.45.176.99", []Entry{{Malicious, "drop", "SBL999999 test entry, see EXPECTED.md"}}},
				{"1.10.31.255", []Entry{{Malicious, "drop", "SBL256894"}}},
				{"1.10.32.0", nil},
				{"2a06:e487:ffff::1", []Entry{{Malicious, "drop", "SBL301771"}}},
			},
		},
		{
			name: "plain with comments, ranges and bad lines",
			cfg:  ListConfig{Path: "testdata/corporate.txt", Category: Corporate},
			want: ListStats{
				Name: "corporate", Format: FormatPlain, Entries: 9, BadLines: 3,
				FirstBad: `testdata/corporate.txt:14: bad address "300.1.2.3"`,
			},
			lookups: []lookup{
				{"203.0.113.77", []Entry{{Corporate, "corporate", "HQ Brussels, primary egress"}}},
				{"198.51.100.40", []Entry{{Corporate, "corporate", "branch Ghent (range)"}}},
				{"198.51.100.48", nil},
				{"2001:db8:1000:42::9", []Entry{{Corporate, "corporate", "HQ IPv6 lab"}}},
				{"2001:db8:1000:43::9", []Entry{{Corporate, "corporate", "HQ IPv6"}}},
				{"192.0.2.5", []Entry{{Corporate, "corporate", "Azure NAT gateway"}}},
				{"192.0.2.6", []Entry{{Corporate, "corporate", "build agents (tab-separated label)"}}},
				{"192.0.2.200", []Entry{{Corporate, "corporate", "IPv4-mapped form of a partner jump host"}}},
				{"::ffff:10.20.30.40", []Entry{{Corporate, "corporate", ""}}},
			},
		},
		{
			name: "csv with header and label column",
			cfg:  ListConfig{Path: "testdata/vpn-providers.csv", Category: VPN, Name: "vpn"},
			want: ListStats{
				Name: "vpn", Format: FormatCSV, Entries: 4, BadLines: 1,
				FirstBad: `testdata/vpn-providers.csv:5: bad range "not-a-network"`,
			},
			lookups: []lookup{
				{"146.70.12.3", []Entry{{VPN, "vpn", "Example VPN Provider A"}}},
				{"37.19.200.1", []Entry{{VPN, "vpn", "Example VPN Provider B, Inc."}}},
				{"2a0d:5601::1", []Entry{{VPN, "vpn", "Example VPN Provider A"}}},
			},
		},
		{
			name: "csv without header",
			cfg:  ListConfig{Path: "testdata/proxies-noheader.csv", Category: AnonymousProxy, Name: "proxies"},
			want: ListStats{
				Name: "proxies", Format: FormatCSV, Entries: 3, BadLines: 1,
				FirstBad: "testdata/proxies-noheader.csv:5: no address column",
			},
			lookups: []lookup{
				{"194.26.192.64", []Entry{{AnonymousProxy, "proxies", "residential-proxy"}}},
				{"2a03:b0c0:3:d0::1a2b", []Entry{{AnonymousProxy, "proxies", "open-proxy"}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Load([]ListConfig{tt.cfg})
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Path, want.Category = tt.cfg.Path, tt.cfg.Category
			if diff := cmp.Diff([]ListStats{want}, s.Stats()); diff != "" {
				t.Errorf("Stats() (-want +got):\n%s", diff)
			}
			if s.Len() != want.Entries {
				t.Errorf("Len() = %d, want %d", s.Len(), want.Entries)
			}
			for _, l := range tt.lookups {
				if diff := cmp.Diff(l.want, s.Lookup(netip.MustParseAddr(l.ip))); diff != "" {
					t.Errorf("Lookup(%s) (-want +got):\n%s", l.ip, diff)
				}
			}
		})
	}
}

func TestSetLookupAcrossLists(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	s, err := Load([]ListConfig{
		{Path: write("ti.txt", "185.220.0.0/16 # broad\n185.220.101.0/24 # narrow\n"), Category: Malicious},
		{Path: write("tor.txt", "185.220.101.34\n"), Category: TorExit},
		{Path: write("allow.txt", "10.0.0.0/8\n"), Category: Allow},
		{Path: write("ti2.txt", "185.220.101.34 # second feed\n"), Category: Malicious},
	})
	if err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr("185.220.101.34")
	want := []Entry{
		{Malicious, "ti", "narrow"}, // most specific prefix of the list
		{TorExit, "tor", ""},
		{Malicious, "ti2", "second feed"},
	}
	if diff := cmp.Diff(want, s.Lookup(ip)); diff != "" {
		t.Errorf("Lookup (-want +got):\n%s", diff)
	}
	if e, ok := s.Has(ip, Malicious); !ok || e.List != "ti" {
		t.Errorf("Has(malicious) = %+v, %v; want list ti", e, ok)
	}
	if _, ok := s.Has(ip, Allow); ok {
		t.Error("Has(allow) = true")
	}
	if e, ok := s.Has(netip.MustParseAddr("185.220.7.7"), Malicious); !ok || e.Label != "broad" {
		t.Errorf("Has(185.220.7.7) = %+v, %v; want the broad entry", e, ok)
	}
	if got := s.Len(); got != 5 {
		t.Errorf("Len() = %d, want 5", got)
	}
	var empty *Set
	if empty.Lookup(ip) != nil || empty.Len() != 0 || empty.Stats() != nil {
		t.Error("nil Set is not empty")
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	good := ListConfig{Path: "testdata/tor-bulk-exit-list.txt", Category: TorExit}
	tests := []struct {
		name  string
		lists []ListConfig
		want  string
	}{
		{"missing file", []ListConfig{{Path: "testdata/nope.txt", Category: Allow}}, "testdata/nope.txt"},
		{"no path", []ListConfig{{Category: Allow, Name: "x"}}, `list "x": no path`},
		{"bad category", []ListConfig{{Path: good.Path, Category: "evil"}}, `unknown category "evil"`},
		{"bad format", []ListConfig{{Path: good.Path, Category: TorExit, Format: "json"}}, `unknown format "json"`},
		{"duplicate name", []ListConfig{good, good}, "tor-bulk-exit-list: name used twice"},
		{"directory", []ListConfig{{Path: "testdata", Category: Allow}}, "list testdata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Load(tt.lists)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load() = %v, %v; want error containing %q", s, err, tt.want)
			}
		})
	}
}

func TestLoadLongLine(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "long.txt")
	body := "1.2.3.4\n5.6.7.8\n" + strings.Repeat("x", maxLine+1) + "\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load([]ListConfig{{Path: p, Category: Malicious}})
	if err == nil || !strings.Contains(err.Error(), p+":3:") {
		t.Fatalf("Load() error = %v, want one naming %s:3", err, p)
	}
}
