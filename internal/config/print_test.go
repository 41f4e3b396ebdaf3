package config

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestYAMLRoundTrip: what `vedette check` prints is a configuration file:
// the file's keys, durations as written, every section; read back, it is
// the same configuration.
func TestYAMLRoundTrip(t *testing.T) {
	in := "baseline:\n  window: 2160h\ndetections:\n  microburst:\n    window: 90m\n" +
		"network:\n  snapshot_interval: 30s\n  detections: {grace: 10m, max_hosts: 5000}\n" +
		"activity:\n  kafka: {brokers: [\"k:9093\"], topics: [t], tls: {enabled: true}, sasl: {mechanism: plain, username: u, password: secret}}\n"
	cfg, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"window: 2160h\n", "window: 1h30m\n", "snapshot_interval: 30s\n", "grace: 10m\n",
		"max_hosts: 5000\n", "network:\n", "collector:\n", "password: <redacted>\n", "commit_interval: 30s\n"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if bytes.Contains(out, []byte("secret")) || bytes.Contains(out, []byte("0s\n")) && !bytes.Contains(out, []byte("30s\n")) {
		t.Errorf("password or Go-style durations printed:\n%s", out)
	}
	back, err := Parse(bytes.NewReader(bytes.Replace(out, []byte("<redacted>"), []byte("secret"), 1)))
	if err != nil {
		t.Fatalf("printed configuration does not parse: %v\n%s", err, out)
	}
	if diff := cmp.Diff(cfg, back, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip changed the configuration (-parsed +printed):\n%s", diff)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[string]string{"720h": "720h", "90m": "1h30m", "1h0m1s": "1h0m1s", "30s": "30s", "0s": "0s", "1.5s": "1.5s", "2m": "2m"} {
		if got := FormatDuration(mustDuration(t, d)); got != want {
			t.Errorf("FormatDuration(%s) = %s, want %s", d, got, want)
		}
	}
}

func mustDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
