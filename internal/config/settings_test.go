package config

import (
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/detect"
)

func TestAPIValidation(t *testing.T) {
	t.Parallel()
	const hash = "654904196ea5e02d6ef9ebc250a3cac6d054cb4ed30d4d7cd7a60f4ae90e7987"
	tests := []struct{ name, yaml, want string }{
		{"public without tokens", "api: {listen: \"0.0.0.0:8080\"}\n", "api.listen: 0.0.0.0:8080 is not a loopback address and no api.tokens"},
		{"all interfaces without tokens", "api: {listen: \":8080\"}\n", "is not a loopback address"},
		{"bad listen", "api: {listen: \"8080\"}\n", "api.listen: address 8080: missing port"},
		{"bad role", "api: {listen: \"127.0.0.1:1\", tokens: [{name: a, role: root, sha256: " + hash + "}]}\n", `api.tokens[0].role: "root" is not one of`},
		{"bad hash", "api: {tokens: [{name: a, role: admin, sha256: abc}]}\n", "api.tokens[0].sha256: want 64 hex digits"},
		{"duplicate name", "api: {tokens: [{name: a, role: admin, sha256: " + hash + "}, {name: a, role: viewer, sha256: " + hash + "}]}\n", "api.tokens[1].name: must be set and unique"},
		{"tls half", "api: {tls: {cert: c.pem}}\n", "api.tls: cert and key go together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	for _, ok := range []string{
		"api: {listen: \"127.0.0.1:8080\"}\n",
		"api: {listen: \"[::1]:8080\"}\n",
		"api: {listen: \"localhost:8080\"}\n",
		"api: {listen: \"0.0.0.0:8443\", tokens: [{name: a, role: analyst, sha256: " + hash + "}], tls: {cert: c.pem, key: k.pem}}\n",
	} {
		if _, err := Parse(strings.NewReader(ok)); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}

func ids(ds []detect.Detector) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Meta().ID)
	}
	return out
}

// TestLayersApplyAtOnce: a run-time setting disabling a detection for one
// subscription changes the very next resolution for that subscription and
// no other, and removing it restores the configuration.
func TestLayersApplyAtOnce(t *testing.T) {
	t.Parallel()
	cfg := Default()
	sc := cfg.Scopes()
	if !strings.Contains(strings.Join(ids(sc.Detectors("t1", "sub-a")), ","), "anonymous-ip") {
		t.Fatal("anonymous-ip not enabled by default")
	}
	off := false
	sc.SetLayers([]Layer{{Tenant: "t1", Subscription: "sub-a", Detection: "anonymous-ip", Enabled: &off}})
	if got := strings.Join(ids(sc.Detectors("t1", "sub-a")), ","); strings.Contains(got, "anonymous-ip") {
		t.Errorf("sub-a after disabling: %s", got)
	}
	if got := strings.Join(ids(sc.Detectors("t1", "sub-b")), ","); !strings.Contains(got, "anonymous-ip") {
		t.Errorf("sub-b lost anonymous-ip: %s", got)
	}
	sc.SetLayers(nil)
	if got := strings.Join(ids(sc.Detectors("t1", "sub-a")), ","); !strings.Contains(got, "anonymous-ip") {
		t.Errorf("sub-a after removal: %s", got)
	}
}

func TestCheckLayer(t *testing.T) {
	t.Parallel()
	cfg := Default()
	on := true
	tests := []struct {
		l    Layer
		want string
	}{
		{Layer{Tenant: "*", Subscription: "*", Detection: "impossible-travel", Params: map[string]any{"max_speed_kmh": 500}}, ""},
		{Layer{Tenant: "t", Subscription: "*", Detection: "impossible-travel", Params: map[string]any{"learning": "72h"}}, ""},
		{Layer{Tenant: "t", Subscription: "s", Detection: "nope", Enabled: &on}, `unknown detection "nope"`},
		{Layer{Tenant: "t", Subscription: "s", Detection: "impossible-travel", Params: map[string]any{"max_sped": 1}}, "field max_sped not found"},
		{Layer{Tenant: "t", Subscription: "s", Detection: "impossible-travel", Params: map[string]any{"max_speed_kmh": "fast"}}, "cannot unmarshal"},
		{Layer{Tenant: "t", Subscription: "s", Detection: "impossible-travel", Params: map[string]any{"max_speed_kmh": -5}}, "max_speed_kmh: must be positive"},
		{Layer{Tenant: "t", Subscription: "s", Detection: "azurite", Params: map[string]any{"enabled": true}}, `"enabled" is not a parameter`},
		{Layer{Tenant: "", Subscription: "s", Detection: "azurite", Enabled: &on}, "tenant and subscription must be set"},
	}
	for _, tt := range tests {
		err := cfg.CheckLayer(tt.l)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.l, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v: err = %v, want %q", tt.l, err, tt.want)
		}
	}
}

// TestEffectiveSources: each value says whether it is the default, the
// configuration file's or the API's, per scope.
func TestEffectiveSources(t *testing.T) {
	t.Parallel()
	cfg, err := Parse(strings.NewReader("detections:\n  impossible_travel: {max_speed_kmh: 1000}\noverrides:\n  - tenant: t1\n    detections: {anonymous_ip: {enabled: false}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	off := false
	got := cfg.Effective([]Layer{
		{Tenant: "t1", Subscription: "s1", Detection: "impossible-travel", Enabled: &off, Params: map[string]any{"min_distance_km": 800}},
	})
	find := func(tenant, sub, det string) Setting {
		for _, s := range got {
			if s.Tenant == tenant && s.Subscription == sub && s.Detection == det {
				return s
			}
		}
		t.Fatalf("no setting %s/%s/%s in %d", tenant, sub, det, len(got))
		return Setting{}
	}
	if len(got) != 3*len(DetectionIDs()) {
		t.Errorf("%d settings, want 3 scopes (*/*, t1/*, t1/s1) x %d detections", len(got), len(DetectionIDs()))
	}
	all := find("*", "*", "impossible-travel")
	if all.Params["max_speed_kmh"] != 1000 || all.Source["max_speed_kmh"] != SourceConfig || all.Source["min_distance_km"] != SourceDefault || !all.Enabled {
		t.Errorf("*/* impossible-travel: %+v", all)
	}
	if s := find("t1", "*", "anonymous-ip"); s.Enabled || s.Source["enabled"] != SourceConfig {
		t.Errorf("t1/* anonymous-ip: %+v", s)
	}
	s := find("t1", "s1", "impossible-travel")
	if s.Enabled || s.Source["enabled"] != SourceAPI || s.Params["min_distance_km"] != 800 || s.Source["min_distance_km"] != SourceAPI ||
		s.Params["max_speed_kmh"] != 1000 || s.Source["max_speed_kmh"] != SourceConfig {
		t.Errorf("t1/s1 impossible-travel: %+v", s)
	}
	if s := find("t1", "s1", "anonymous-ip"); s.Enabled || s.Source["enabled"] != SourceConfig {
		t.Errorf("t1/s1 anonymous-ip inherits the tenant override: %+v", s)
	}
}
