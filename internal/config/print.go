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
// section included, durations as a file would write them (720h, 90m).
func (c Config) YAML() ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(c); err != nil {
		return nil, err
	}
	tidy(&doc)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// tidy rewrites the duration scalars under n and hides passwords.
func tidy(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && reGoDuration.MatchString(n.Value) {
		if d, err := time.ParseDuration(n.Value); err == nil {
			n.Value = FormatDuration(d)
		}
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k, v := n.Content[i], n.Content[i+1]; k.Value == "password" && v.Value != "" {
				v.Value = "(hidden)"
			}
		}
	}
	for _, c := range n.Content {
		tidy(c)
	}
}
