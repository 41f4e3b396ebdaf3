package config

import (
	"strings"
	"testing"
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

// TestCatalog: every activity detection that settings can name, with its
// default parameters and no "enabled" among them.
func TestCatalog(t *testing.T) {
	t.Parallel()
	c := Catalog()
	if len(c) != len(ActivityDetections()) {
		t.Fatalf("%d described, %d activity detections", len(c), len(ActivityDetections()))
	}
	for _, d := range c {
		if _, ok := detectionKeys[d.Meta.ID]; !ok {
			t.Errorf("%s: no key under detections: settings cannot name it", d.Meta.ID)
		}
		if _, ok := d.Params["enabled"]; ok {
			t.Errorf("%s: enabled listed as a parameter", d.Meta.ID)
		}
	}
	if c[0].Meta.ID != "impossible-travel" || c[0].Params["max_speed_kmh"] != 900 {
		t.Errorf("first: %s %v", c[0].Meta.ID, c[0].Params)
	}
}
