package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/event"
)

func TestOutputErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, yaml, want string }{
		{"unknown type", "outputs:\n  - {name: x, type: email}\n", `outputs[0] (x): type "email": want stdout`},
		{"missing block", "outputs:\n  - {name: x, type: syslog}\n", "type syslog needs its syslog block"},
		{"wrong block", "outputs:\n  - {name: x, type: stdout, file: {path: a}}\n", "type stdout with a file block"},
		{"bad name", "outputs:\n  - {name: \"My SIEM\", type: stdout}\n", `name "My SIEM"`},
		{"duplicate", "outputs:\n  - {name: x, type: stdout}\n  - {name: x, type: stdout}\n", "outputs[1] (x): name used twice"},
		{"bad format", "outputs:\n  - {name: x, type: stdout, format: leef}\n", `format "leef"`},
		{"bad severity", "outputs:\n  - {name: x, type: stdout, min_severity: Critical}\n", `min_severity "Critical"`},
		{"typo in block", "outputs:\n  - {name: x, type: file, file: {pth: a}}\n", "field pth not found"},
		{"syslog address", "outputs:\n  - {name: x, type: syslog, syslog: {address: siem}}\n", `syslog: address "siem"`},
		{"webhook secret", "outputs:\n  - {name: x, type: webhook, webhook: {url: \"https://h/x\"}}\n", "secret_env is required"},
		{"webhook cef", "outputs:\n  - {name: x, type: webhook, format: cef, webhook: {url: \"https://h/x\", secret_env: S}}\n", "format cef needs a template"},
		{"splunk token", "outputs:\n  - {name: x, type: splunk, splunk: {url: \"https://h:8088\"}}\n", "token_env"},
		{"kafka topic", "outputs:\n  - {name: x, type: kafka, kafka: {brokers: [\"h:9092\"]}}\n", "brokers and topic are required"},
		{"negative timeout", "outputs:\n  - {name: x, type: stdout, timeout: -1s}\n", "cannot be negative"},
		{"tls half", "outputs:\n  - {name: x, type: syslog, syslog: {network: tls, address: \"h:6514\", tls: {cert_file: c.pem}}}\n", "cert_file and key_file go together"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(strings.NewReader(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}

// The full example declares one output per integration, each valid, with
// its defaults and paths resolved against the file's directory.
func TestOutputsOfFullExample(t *testing.T) {
	t.Parallel()
	cfg, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	for _, o := range cfg.Outputs {
		types[o.Type] = true
	}
	for _, typ := range []string{"stdout", "file", "syslog", "webhook", "splunk", "kafka"} {
		if !types[typ] {
			t.Errorf("no %s output in testdata/full.yaml", typ)
		}
	}
	siem, ok := cfg.Output("siem")
	if !ok || siem.FormatName() != "cef" || siem.MinSeverity != event.SeverityMedium || siem.Policy().MaxAttempts != 20 {
		t.Errorf("siem output %+v", siem)
	}
	if p := siem.Syslog.TLS.CAFile; p != filepath.Join("testdata", "siem-ca.pem") {
		t.Errorf("ca_file %q not resolved against the config's directory", p)
	}
	archive, _ := cfg.Output("archive")
	if archive.File.MaxAge != 24*time.Hour || archive.BatchSize != 100 || archive.Format != "ocsf" || archive.Timeout != 30*time.Second {
		t.Errorf("archive %+v", archive)
	}
}
