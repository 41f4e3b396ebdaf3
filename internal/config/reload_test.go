package config

import (
	"slices"
	"strings"
	"testing"
)

// TestSetFile: a reloaded file that switches a detection off for one
// tenant takes effect at once, bumps the generation, and the run-time
// layer still applies over it.
func TestSetFile(t *testing.T) {
	const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	cfg := Default()
	s := cfg.Scopes()
	if !slices.Contains(ids(s.Detectors(tenant, "")), "impossible-travel") {
		t.Fatal("impossible-travel off by default")
	}
	next, err := Parse(strings.NewReader("overrides:\n  - tenant: " + tenant + "\n    detections: {impossible_travel: {enabled: false}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	gen := s.Generation()
	s.SetFile(&next)
	if slices.Contains(ids(s.Detectors(tenant, "")), "impossible-travel") || s.Generation() == gen {
		t.Fatalf("reloaded file not in force: %v, generation %d", ids(s.Detectors(tenant, "")), s.Generation())
	}
	if !slices.Contains(ids(s.Detectors("other-tenant", "")), "impossible-travel") {
		t.Fatal("the override reached another tenant")
	}
	on := true
	if err := s.SetRuntime(&next, []RuntimeOverride{{Tenant: tenant, Subscription: "*", Detection: "impossible-travel", Enabled: &on}}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ids(s.Detectors(tenant, "")), "impossible-travel") {
		t.Fatal("run-time override not applied over the reloaded file")
	}
}
