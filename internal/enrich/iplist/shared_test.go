package iplist

import (
	"encoding/csv"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// sharedData returns a file of the project's shared public test data,
// skipping the test when that folder is not beside the repository.
func sharedData(t *testing.T, rel string) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Skip("no caller information")
	}
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared", "testdata-external", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test data absent: %v", err)
	}
	return p
}

// TestSentinelPenTestAllowList loads the Sentinel training lab's pen-test
// watchlist (one IPAddress column, CRLF) as the allow list EXPECTED.md
// describes: its six IPs must be allowed.
func TestSentinelPenTestAllowList(t *testing.T) {
	t.Parallel()
	p := sharedData(t, "azure-sentinel-training-lab/PenTestsIPaddresses.csv")
	s, err := Load([]ListConfig{{Path: p, Category: Allow, Name: "pentest"}})
	if err != nil {
		t.Fatal(err)
	}
	st := s.Stats()[0]
	if st.Entries != 6 || st.BadLines != 0 || st.Format != FormatCSV {
		t.Errorf("stats = %+v, want 6 entries, no bad line, csv", st)
	}
	for _, ip := range []string{"23.102.131.33", "82.31.3.4", "64.39.104.113", "52.154.174.208", "20.44.17.10", "217.119.27.212"} {
		if e, ok := s.Has(netip.MustParseAddr(ip), Allow); !ok || e.List != "pentest" {
			t.Errorf("Has(%s, allow) = %+v, %v", ip, e, ok)
		}
	}
	if _, ok := s.Has(netip.MustParseAddr("175.45.176.99"), Allow); ok {
		t.Error("175.45.176.99 allowed")
	}
}

// TestHoneyBucketSourcesAsThreatIntel loads the "Source IP" column of the
// OTRF S3 honey-bucket export (12 columns, quoted JSON-ish fields) as a
// malicious list: every distinct source IP must be on it.
func TestHoneyBucketSourcesAsThreatIntel(t *testing.T) {
	t.Parallel()
	p := sharedData(t, "otrf-security-datasets/AWS_S3_HoneyBucketLogs.csv")
	s, err := Load([]ListConfig{{Path: p, Category: Malicious, Name: "honeybucket"}})
	if err != nil {
		t.Fatal(err)
	}
	want := honeyBucketSources(t, p)
	if len(want) < 200 {
		t.Fatalf("only %d source IPs read independently", len(want))
	}
	st := s.Stats()[0]
	if st.Entries != len(want) || st.BadLines != 0 {
		t.Errorf("stats = %+v, want %d entries and no bad line", st, len(want))
	}
	for ip := range want {
		if _, ok := s.Has(netip.MustParseAddr(ip), Malicious); !ok {
			t.Errorf("%s not on the list", ip)
		}
	}
	// The request IDs and dates in other columns must not have leaked in.
	if _, ok := s.Has(netip.MustParseAddr("8.8.8.8"), Malicious); ok {
		t.Error("8.8.8.8 on the list")
	}
}

// honeyBucketSources reads the Source IP column with encoding/csv, as an
// independent oracle.
func honeyBucketSources(t *testing.T, path string) map[string]bool {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == "Source IP" {
			col = i
		}
	}
	if col < 0 {
		t.Fatal("no Source IP column")
	}
	out := map[string]bool{}
	for _, r := range recs[1:] {
		out[netip.MustParseAddr(r[col]).String()] = true
	}
	return out
}
