package config

import (
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// redacted replaces the value of every secret in Effective.
const redacted = "<redacted>"

// Effective returns the configuration in force as one line of JSON, for
// the log, with secrets redacted: the value of every key naming a
// password, secret, token, DSN or private key (but not the names of the
// environment variables or files that hold them: *_env, *_file).
func (c Config) Effective() (string, error) {
	var node yaml.Node
	if err := node.Encode(c); err != nil {
		return "", fmt.Errorf("config: effective: %w", err)
	}
	redact(&node)
	var v any
	if err := node.Decode(&v); err != nil {
		return "", fmt.Errorf("config: effective: %w", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("config: effective: %w", err)
	}
	return string(b), nil
}

func redact(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k, v := n.Content[i], n.Content[i+1]; secretKey(k.Value) && v.Kind == yaml.ScalarNode && v.Value != "" {
				v.SetString(redacted)
			}
		}
	}
	for _, c := range n.Content {
		redact(c)
	}
}

func secretKey(k string) bool {
	k = strings.ToLower(k)
	if strings.HasSuffix(k, "_env") || strings.HasSuffix(k, "_file") {
		return false
	}
	for _, s := range []string{"password", "secret", "token", "dsn", "private_key", "api_key"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}
