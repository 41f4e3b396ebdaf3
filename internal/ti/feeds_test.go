package ti

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// csvFeed is a hand-kept blocklist exported from a spreadsheet: a header
// naming the address and description columns, a mistyped address, and a
// quoted label holding a comma.
const csvFeed = "ip,description,first_seen\r\n" +
	"198.51.100.23,Cobalt Strike team server,2024-05-01\r\n" +
	"203.0.113.0/24,bulletproof hosting,2024-05-02\r\n" +
	"198.51.100.300,typo,2024-05-03\r\n" +
	"\"2001:db8:c2::/48\",\"Sliver C2, IPv6\",2024-05-04\r\n"

// TestCSVFeed loads a CSV feed by extension (Load) and by content (Parse
// of a name without one): the header is not an entry, the bad line is
// counted with its position, and labels become entry names.
func TestCSVFeed(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c2-feed.csv")
	if err := os.WriteFile(path, []byte(csvFeed), 0o600); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := Parse("c2-feed", []byte(csvFeed))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, feed, file string
		set              *Set
	}{
		{"Load by extension", "c2-feed.csv", path, loaded},
		{"Parse by content", "c2-feed", "c2-feed", parsed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := []FeedStats{{Feed: tt.feed, Format: "csv", Prefixes: 3, Skipped: 1, FirstBad: tt.file + `:4: bad address "198.51.100.300"`}}
			if d := cmp.Diff(tt.set.Stats(), want); d != "" {
				t.Errorf("stats (-got +want)\n%s", d)
			}
			if tt.set.Len() != 3 || tt.set.Skipped() != 1 {
				t.Errorf("Len %d Skipped %d, want 3 and 1", tt.set.Len(), tt.set.Skipped())
			}
			checkCSVEntries(t, tt.set, tt.feed)
		})
	}
}

func checkCSVEntries(t *testing.T, s *Set, feed string) {
	t.Helper()
	tests := []struct {
		ip   string
		want Entry
	}{
		{"198.51.100.23", Entry{Feed: feed, Indicator: "line 2", Name: "Cobalt Strike team server", Prefix: "198.51.100.23/32", Confidence: DefaultConfidence}},
		{"203.0.113.77", Entry{Feed: feed, Indicator: "line 3", Name: "bulletproof hosting", Prefix: "203.0.113.0/24", Confidence: DefaultConfidence}},
		{"2001:db8:c2::1", Entry{Feed: feed, Indicator: "line 5", Name: "Sliver C2, IPv6", Prefix: "2001:db8:c2::/48", Confidence: DefaultConfidence}},
	}
	for _, tt := range tests {
		got, ok := s.Lookup(netip.MustParseAddr(tt.ip), time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
		if !ok {
			t.Errorf("%s not listed", tt.ip)
			continue
		}
		if d := cmp.Diff(got, tt.want); d != "" {
			t.Errorf("%s (-got +want)\n%s", tt.ip, d)
		}
	}
	if _, ok := s.Lookup(netip.MustParseAddr("198.51.100.30"), time.Time{}); ok {
		t.Error("the bad line's neighbour is listed")
	}
}

// TestPlainFeedFormats covers what plain lists gained from iplist: ";"
// comments as labels (Spamhaus DROP), ranges, and Tor exit lists.
func TestPlainFeedFormats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, ip string
		want           Entry
		format         string
	}{
		{"drop comment", "; Spamhaus DROP List\n1.10.16.0/20 ; SBL256894\n", "1.10.20.1",
			Entry{Feed: "f", Indicator: "line 2", Name: "SBL256894", Prefix: "1.10.16.0/20", Confidence: DefaultConfidence}, "plain"},
		{"range", "192.0.2.10-192.0.2.20 # scanners\n", "192.0.2.17",
			Entry{Feed: "f", Indicator: "line 1", Name: "scanners", Prefix: "192.0.2.16/30", Confidence: DefaultConfidence}, "plain"},
		{"tor exit-addresses", "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nPublished 2024-05-01 00:00:00\nExitAddress 185.220.101.34 2024-05-01 01:02:03\n", "185.220.101.34",
			Entry{Feed: "f", Indicator: "line 3", Prefix: "185.220.101.34/32", Confidence: DefaultConfidence}, "tor-exit-addresses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse("f", []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := s.Lookup(netip.MustParseAddr(tt.ip), time.Time{})
			if d := cmp.Diff(got, tt.want); !ok || d != "" {
				t.Errorf("Lookup(%s) ok=%v (-got +want)\n%s", tt.ip, ok, d)
			}
			if f := s.Stats()[0]; f.Format != tt.format || f.Skipped != 0 {
				t.Errorf("stats %+v, want format %s and nothing skipped", f, tt.format)
			}
		})
	}
}

// TestSTIXStats checks that unusable indicators are counted with the
// first one's reason.
func TestSTIXStats(t *testing.T) {
	t.Parallel()
	s, err := Parse("feed.stix.json", []byte(bundle))
	if err != nil {
		t.Fatal(err)
	}
	want := []FeedStats{{
		Feed: "feed.stix.json", Format: FormatSTIX, Prefixes: 4, Skipped: 3,
		FirstBad: `feed.stix.json: indicator--c: unsupported stix pattern: "AND"`,
	}}
	if d := cmp.Diff(s.Stats(), want); d != "" {
		t.Errorf("stats (-got +want)\n%s", d)
	}
}

// TestWatcherLogsSkipped checks that skipped lines are logged with their
// position at the first load and after a reload, and that a broken reload
// is logged once, not on every poll.
func TestWatcherLogsSkipped(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "c2-feed.csv")
	os.WriteFile(p, []byte(csvFeed), 0o600)
	var logs bytes.Buffer
	w, err := NewWatcher([]string{p}, time.Hour, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `first_bad="`+p+`:4: bad address`) {
		t.Errorf("first load did not log the bad line:\n%s", logs.String())
	}
	os.WriteFile(p, []byte(`{"type":"nope"}`), 0o600)
	os.Chtimes(p, time.Unix(1e9, 0), time.Unix(1e9, 0))
	if w.Reload() || w.Reload() {
		t.Error("a broken feed was loaded")
	}
	if n := strings.Count(logs.String(), "ti reload, keeping previous feeds"); n != 1 {
		t.Errorf("broken reload logged %d times, want once:\n%s", n, logs.String())
	}
	if w.Current().Len() != 3 {
		t.Errorf("Len %d after a broken reload, want the previous 3", w.Current().Len())
	}
}

// BenchmarkParseList parses a 10,000-line plain feed with comments.
func BenchmarkParseList(b *testing.B) {
	var sb strings.Builder
	for i := range 10_000 {
		fmt.Fprintf(&sb, "10.%d.%d.0/24 # campaign %d\n", i>>8, i&0xff, i%50)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("feed.txt", data); err != nil {
			b.Fatal(err)
		}
	}
}
