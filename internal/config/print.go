package config

import (
	"bytes"
	"regexp"
	"time"

	"go.yaml.in/yaml/v3"
)

// reGoDuration matches time.Duration.String's output, which yaml writes
// for durations: 720h0m0s, 1m30s, 500ms.
var reGoDuration = regexp.MustCompile(`^-?([0-9.]+(h|m|s|ms|µs|us|ns))+$`)

// YAML writes the effective configuration with the file's own keys, every
// section included, durations as a file would write them (720h, 90m) and
// secrets redacted as in Effective.
func (c Config) YAML() ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(c); err != nil {
		return nil, err
	}
	shortenDurations(&doc)
	redact(&doc)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// shortenDurations rewrites the duration scalars under n.
func shortenDurations(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && reGoDuration.MatchString(n.Value) {
		if d, err := time.ParseDuration(n.Value); err == nil {
			n.Value = FormatDuration(d)
		}
	}
	for _, c := range n.Content {
		shortenDurations(c)
	}
}
