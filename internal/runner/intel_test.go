package runner

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/gen"
)

// TestActivityMatchedAgainstSTIX runs a generated month with its
// threat-intelligence addresses given only as STIX 2.1 indicators in the
// network TI feeds (not as a list): the labelled sign-ins from them must
// raise malicious-ip-activity naming the feed, with the address's AS from
// the built-in table.
func TestActivityMatchedAgainstSTIX(t *testing.T) {
	t.Parallel()
	dir, cfg := month(t)
	ips := intelAddresses(t, filepath.Join(dir, gen.ThreatIntelFile))
	if len(ips) == 0 {
		t.Fatal("the month has no threat-intel attack")
	}
	var objs []string
	for i, ip := range ips {
		objs = append(objs, fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d","created":"2026-01-01T00:00:00Z","modified":"2026-01-01T00:00:00Z","name":"AitM relay","pattern":"[ipv4-addr:value = '%s']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}`, i, ip))
	}
	stix := filepath.Join(t.TempDir(), "intel.json")
	if err := os.WriteFile(stix, []byte(`{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000001","objects":[`+strings.Join(objs, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.Network.TI.STIX = []string{stix}
	cfg.DataDir = t.TempDir()
	alerts, _ := detectFiles(t, cfg, filepath.Join(dir, gen.SignInsFile))
	labels, err := gen.ReadLabels(filepath.Join(dir, gen.LabelsFile))
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, l := range labels {
		if l.Detection == gen.DetMaliciousIP {
			want++
		}
	}
	got := 0
	for _, a := range alerts {
		if a.Detection != gen.DetMaliciousIP {
			continue
		}
		got++
		if !strings.Contains(a.Description, `"intel.json"`) {
			t.Errorf("alert does not name the feed: %s", a.Description)
		}
		if a.Evidence[0].Network == nil || a.Evidence[0].Network.ASN == 0 {
			t.Errorf("evidence without the address's AS: %+v", a.Evidence[0])
		}
	}
	if got != want || want == 0 {
		t.Errorf("%d malicious-ip-activity alerts, want %d (one per label)", got, want)
	}
}

// intelAddresses reads the attackers' addresses from the generated list.
func intelAddresses(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ips []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if addr, ok := strings.CutSuffix(strings.Fields(sc.Text() + " x")[0], "/32"); ok {
			ips = append(ips, addr)
		}
	}
	return ips
}
