package main

import (
	"encoding/json"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/gen"
)

// TestEgressListsSharedNetworks runs detect on the shipped sample, then
// lists the tenant's shared egress: the corporate offices' and the SASE
// pool's networks are there, with their principal counts, as a table and
// as JSON lines.
func TestEgressListsSharedNetworks(t *testing.T) {
	sample := filepath.Join("..", "..", "testdata", "sample")
	data := t.TempDir()
	if _, errs, code := vedette(t, nil, "detect", "-q", "-config", filepath.Join(sample, "vedette.yaml"), "-data", data,
		filepath.Join(sample, gen.SignInsFile), filepath.Join(sample, gen.ActivityFile)); code != 0 {
		t.Fatalf("detect: exit %d:\n%s", code, errs)
	}
	tenant := gen.SampleConfig().Tenant
	out, errs, code := vedette(t, nil, "egress", "-data", data, "-tenant", tenant, "-json")
	if code != 0 {
		t.Fatalf("egress: exit %d:\n%s", code, errs)
	}
	nets := 0
	for line := range strings.Lines(out) {
		var e struct {
			Prefix     netip.Prefix `json:"prefix"`
			Principals int          `json:"principals"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if e.Principals < 2 {
			t.Errorf("%s listed with %d principals, below -min 2", e.Prefix, e.Principals)
		}
		if e.Prefix.Bits() == 24 {
			nets++
		}
	}
	if nets < 2 {
		t.Errorf("%d shared /24 networks, want the offices' and the SASE pool's:\n%s", nets, out)
	}
	table, _, _ := vedette(t, nil, "egress", "-data", data, "-tenant", tenant)
	if !strings.HasPrefix(table, "ip or network") || strings.Count(table, "\n") != strings.Count(out, "\n")+1 {
		t.Errorf("table does not list the same rows:\n%s", table)
	}
	if _, errs, code := vedette(t, nil, "egress", "-data", data); code != 1 || !strings.Contains(errs, "-tenant") {
		t.Errorf("without -tenant: exit %d: %s", code, errs)
	}
}
