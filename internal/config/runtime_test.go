package config

import (
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/vedette/vedette/internal/detect"
)

func ids(ds []detect.Detector) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Meta().ID)
	}
	return out
}

// TestRuntimeOverrides: settings changed at run time layer over the file's
// overrides, most specific last, and the effective settings name each
// value's source.
func TestRuntimeOverrides(t *testing.T) {
	f, err := os.Open("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store.Postgres.DSNEnv != "VEDETTE_PG_DSN" {
		t.Errorf("store section %+v", cfg.Store)
	}
	const tenant, sub = "72f988bf-86f1-41af-91ab-2d7cd011db47", "0b1f6471-1bf0-4dda-aec3-111122223333"
	s := cfg.Scopes()
	before := ids(s.Detectors(tenant, "other-sub"))
	g := s.Generation()
	off, on := false, true
	err = s.SetRuntime(&cfg, []RuntimeOverride{
		{Tenant: tenant, Subscription: "other-sub", Detection: "microburst", Enabled: &off},
		{Tenant: "*", Subscription: "*", Detection: "microburst", Params: map[string]any{"min_kinds": 6}},
		{Tenant: "*", Subscription: "*", Detection: "anonymous-ip", Enabled: &on},
		{Tenant: "*", Subscription: "*", Detection: "no-such-detection", Enabled: &on},
		{Tenant: "*", Subscription: "*", Detection: "microburst", Params: map[string]any{"min_kinds": 1}},
		{Tenant: "*", Subscription: "*", Detection: "azurite", Params: map[string]any{"colour": "red"}},
	})
	if err == nil {
		t.Error("three invalid overrides accepted")
	}
	if s.Generation() == g {
		t.Error("generation unchanged")
	}
	after := ids(s.Detectors(tenant, "other-sub"))
	want := slices.DeleteFunc(slices.Clone(before), func(id string) bool { return id == "microburst" })
	want = slices.Insert(want, 2, "anonymous-ip") // the tenant's file override disabled it; the API enables it again
	if d := cmp.Diff(want, after); d != "" {
		t.Errorf("detectors after run-time overrides (-want +got)\n%s", d)
	}
	for _, d := range s.Detectors("other", "") {
		if mb, ok := d.(*detect.MicroBurst); ok && mb.MinKinds != 6 {
			t.Errorf("microburst min_kinds %d, want the API's 6", mb.MinKinds)
		}
	}
	eff := s.Effective(tenant, "other-sub")
	src := map[string]map[string]string{}
	for _, e := range eff {
		src[e.Detection] = e.Source
		if e.Detection == "microburst" && (e.Enabled || e.Params["min_kinds"] != 6) {
			t.Errorf("effective microburst %+v", e)
		}
	}
	checks := map[string][2]string{
		"microburst enabled":            {src["microburst"]["enabled"], SourceAPI},
		"microburst min_kinds":          {src["microburst"]["min_kinds"], SourceAPI},
		"microburst window":             {src["microburst"]["window"], SourceConfig},
		"impossible_travel speed":       {src["impossible-travel"]["max_speed_kmh"], SourceConfig},
		"infrequent-country learning":   {src["infrequent-country"]["learning"], SourceDefault},
		"anonymous-ip enabled":          {src["anonymous-ip"]["enabled"], SourceAPI},
		"powershell-persistence switch": {src["powershell-persistence"]["enabled"], SourceDefault},
	}
	all := s.EffectiveAll()
	if len(all) != 4*len(ActivityDetections()) || all[0].Tenant != "*" || all[len(all)-1].Subscription != "other-sub" {
		t.Errorf("EffectiveAll: %d settings, first %+v", len(all), all[0])
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: source %q, want %q", name, c[0], c[1])
		}
	}
}

// TestNetworkRuntimeOverrides: stored overrides of network detections
// apply per host subscription ("*" for all), over network.overrides.
func TestNetworkRuntimeOverrides(t *testing.T) {
	cfg := Default()
	cfg.Network.Overrides = []NetworkOverride{{Subscription: "Sub-B"}}
	if err := yaml.Unmarshal([]byte("{ssh: {incoming_one_to_one: {min_conns: 40}}}"), &cfg.Network.Overrides[0].Detections); err != nil {
		t.Fatal(err)
	}
	s := cfg.Network.RuntimeScopes()
	if s.Rules("sub-a") != nil {
		t.Fatal("rules without any override")
	}
	off := false
	err := s.SetRuntime(&cfg.Network, []RuntimeOverride{
		{Tenant: "*", Subscription: "sub-a", Detection: "ssh-incoming-many-to-one", Enabled: &off},
		{Tenant: "*", Subscription: "*", Detection: "network-communication-with-c2", Enabled: &off},
		{Tenant: "*", Subscription: "sub-b", Detection: "rdp-incoming-one-to-one", Params: map[string]any{"min_conns": 50}},
		{Tenant: "*", Subscription: "sub-b", Detection: "ssh-incoming-one-to-one", Params: map[string]any{"ports": []int{2222}}},
		{Tenant: "*", Subscription: "sub-b", Detection: "impossible-travel", Enabled: &off},
	})
	if err == nil {
		t.Error("an engine-wide parameter and an activity detection accepted")
	}
	a, b := s.Rules("sub-a"), s.Rules("SUB-B")
	if a == nil || a.SSH.IncomingMany.Enabled || a.C2 || !a.SSH.IncomingOne.Enabled {
		t.Errorf("sub-a: %+v", a)
	}
	if b == nil || !b.SSH.IncomingMany.Enabled || b.C2 || b.RDP.IncomingOne.MinConns != 50 || b.SSH.Ports[0] != 22 {
		t.Errorf("sub-b: %+v", b)
	}
	if s.Rules("") != nil {
		t.Error("a host without a subscription got overrides")
	}
	checkNetworkEffective(t, s.EffectiveAll())
}

// checkNetworkEffective checks TestNetworkRuntimeOverrides' effective
// settings: every network detection in each named subscription, each
// value from the layer that set it.
func checkNetworkEffective(t *testing.T, all []Effective) {
	t.Helper()
	var subs []string
	byKey := map[string]Effective{}
	for _, e := range all {
		if !slices.Contains(subs, e.Subscription) {
			subs = append(subs, e.Subscription)
		}
		byKey[e.Subscription+"/"+e.Detection] = e
	}
	if d := cmp.Diff(subs, []string{"*", "sub-b", "sub-a"}); d != "" || len(all) != 3*len(NetworkDetections()) {
		t.Fatalf("%d settings, subscriptions (-got +want):\n%s", len(all), d)
	}
	for _, c := range []struct {
		key, value string
		want       any
		source     string
	}{
		{"*/ssh-incoming-many-to-one", "enabled", true, SourceDefault},
		{"sub-a/ssh-incoming-many-to-one", "enabled", false, SourceAPI},
		{"sub-a/ssh-incoming-many-to-one", "min_peers", 10, SourceDefault},
		{"*/network-communication-with-c2", "enabled", false, SourceAPI},
		{"sub-b/rdp-incoming-one-to-one", "min_conns", 50, SourceAPI},
		{"sub-b/ssh-incoming-one-to-one", "min_conns", 40, SourceConfig},
		{"*/ssh-incoming-one-to-one", "min_conns", 30, SourceDefault},
	} {
		e := byKey[c.key]
		got := e.Params[c.value]
		if c.value == "enabled" {
			got = e.Enabled
		}
		if got != c.want || e.Source[c.value] != c.source || e.Tenant != "*" {
			t.Errorf("%s %s: %v from %q, want %v from %q", c.key, c.value, got, e.Source[c.value], c.want, c.source)
		}
	}
}
