package ti

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const bundle = `{"type":"bundle","id":"bundle--1","objects":[
 {"type":"indicator","spec_version":"2.1","id":"indicator--a","name":"C2 server","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2024-01-01T00:00:00Z","confidence":90},
 {"type":"indicator","id":"indicator--b","pattern":"[ipv4-addr:value = '192.0.2.1' OR ipv6-addr:value = '2001:db8:bad::/48'] OR [ipv4-addr:value ISSUBSET '203.0.113.0/24']","valid_from":"2024-01-01T00:00:00Z","valid_until":"2024-06-01T00:00:00Z"},
 {"type":"indicator","id":"indicator--c","pattern":"[ipv4-addr:value = '192.0.2.50' AND network-traffic:dst_port = 443]","valid_from":"2024-01-01T00:00:00Z"},
 {"type":"indicator","id":"indicator--d","pattern":"[ipv4-addr:value = '192.0.2.60']","revoked":true,"valid_from":"2024-01-01T00:00:00Z"},
 {"type":"indicator","id":"indicator--e","pattern":"rule x { }","pattern_type":"yara","valid_from":"2024-01-01T00:00:00Z"},
 {"type":"malware","id":"malware--1","name":"x","is_family":true}
]}`

const list = `# feed
175.45.176.99
10.66.0.0/16 c2 range
not-an-ip
::ffff:192.0.2.99
`

func TestLoadAndLookup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bp, lp := filepath.Join(dir, "feed.stix.json"), filepath.Join(dir, "bad.txt")
	os.WriteFile(bp, []byte(bundle), 0o600)
	os.WriteFile(lp, []byte(list), 0o600)
	s, err := Load([]string{bp, lp})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		ip   string
		t    time.Time
		want string // indicator, "" for no match
	}{
		{"198.51.100.7", at, "indicator--a"},
		{"192.0.2.1", at, "indicator--b"},
		{"2001:db8:bad::5", at, "indicator--b"},
		{"203.0.113.200", at, "indicator--b"},
		{"203.0.113.200", at.AddDate(1, 0, 0), ""}, // past valid_until
		{"198.51.100.7", at.AddDate(-1, 0, 0), ""}, // before valid_from
		{"192.0.2.50", at, ""},                     // AND-ed with a port: not usable
		{"192.0.2.60", at, ""},                     // revoked
		{"175.45.176.99", at, "line 2"},
		{"10.66.4.4", at, "line 3"},
		{"192.0.2.99", at, "line 5"},
		{"::ffff:175.45.176.99", at, "line 2"},
		{"8.8.8.8", at, ""},
	}
	for _, tt := range tests {
		e, ok := s.Lookup(netip.MustParseAddr(tt.ip), tt.t)
		if got := e.Indicator; ok != (tt.want != "") || got != tt.want {
			t.Errorf("Lookup(%s, %v) = %q, %v; want %q", tt.ip, tt.t, got, ok, tt.want)
		}
	}
	if e, _ := s.Lookup(netip.MustParseAddr("198.51.100.7"), at); e.Confidence != 0.9 || e.Name != "C2 server" || e.Feed != "feed.stix.json" {
		t.Errorf("entry = %+v", e)
	}
	if s.Len() != 7 || s.Skipped() != 4 {
		t.Errorf("Len %d Skipped %d, want 7 and 4", s.Len(), s.Skipped())
	}
}

func TestParsePattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		want    []string
		wantErr bool
	}{
		{"[ipv4-addr:value = '1.2.3.4']", []string{"1.2.3.4/32"}, false},
		{"[ipv6-addr:value = '2001:db8::1']", []string{"2001:db8::1/128"}, false},
		{"([ipv4-addr:value = '10.0.0.0/8'] OR [ipv4-addr:value='1.2.3.4'])", []string{"10.0.0.0/8", "1.2.3.4/32"}, false},
		{"[ipv4-addr:value = '1.2.3.4'] WITHIN 300 SECONDS", nil, true},
		{"[domain-name:value = 'evil.example']", nil, true},
		{"[ipv4-addr:value = '1.2.3.4", nil, true},
		{"[ipv4-addr:value = 'nope']", nil, true},
		{"[ipv4-addr:value != '1.2.3.4']", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		ps, err := ParsePattern(tt.pattern)
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: err %v", tt.pattern, err)
			continue
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.String())
		}
		if d := cmp.Diff(got, tt.want); d != "" {
			t.Errorf("%q (-got +want)\n%s", tt.pattern, d)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"type":"report"}`), 0o600)
	for _, paths := range [][]string{{""}, {filepath.Join(dir, "missing")}, {bad}} {
		if _, err := Load(paths); err == nil {
			t.Errorf("%v: no error", paths)
		}
	}
}

func TestWatcherReload(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "feed.txt")
	os.WriteFile(p, []byte("192.0.2.1\n"), 0o600)
	w, err := NewWatcher([]string{p}, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr("198.51.100.1")
	if _, ok := w.Lookup(ip, time.Time{}); ok {
		t.Fatal("listed before reload")
	}
	os.WriteFile(p, []byte("192.0.2.1\n198.51.100.0/24\n"), 0o600)
	os.Chtimes(p, time.Unix(1e9, 0), time.Unix(1e9, 0))
	if !w.Reload() {
		t.Fatal("Reload saw no change")
	}
	if _, ok := w.Lookup(ip, time.Time{}); !ok {
		t.Error("not listed after reload")
	}
	os.WriteFile(p, []byte(`{"type":"nope"}`), 0o600) // broken feed keeps the old set
	if w.Reload() || w.Current().Len() != 2 {
		t.Error("broken reload replaced the set")
	}
}

func BenchmarkLookup(b *testing.B) {
	s, _ := Parse("b", []byte(list+"\n198.51.100.0/24\n"))
	ip := netip.MustParseAddr("8.8.8.8")
	b.ReportAllocs()
	for b.Loop() {
		s.Lookup(ip, time.Time{})
	}
}
