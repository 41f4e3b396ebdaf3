package config

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestOps(t *testing.T) {
	cfg, err := Parse(strings.NewReader("ops:\n  listen: 127.0.0.1:9464\n  status_interval: 1m\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Ops.Listen != "127.0.0.1:9464" || cfg.Ops.StatusInterval != time.Minute {
		t.Fatalf("%+v", cfg.Ops)
	}
	if Default().Ops.StatusInterval != 5*time.Minute || Default().Ops.Listen != "" {
		t.Fatalf("defaults %+v", Default().Ops)
	}
	for _, bad := range []string{"ops: {listen: '9464'}", "ops: {status_interval: -1s}", "ops: {port: 1}"} {
		if _, err := Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// TestEffectiveRedacts: the configuration logged at start keeps every
// setting but no secret, and still names where secrets come from.
func TestEffectiveRedacts(t *testing.T) {
	cfg, err := Parse(strings.NewReader(`
activity:
  kafka:
    brokers: [eh.servicebus.windows.net:9093]
    topics: [signins]
    sasl: {mechanism: plain, username: $ConnectionString, password: Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=hunter2}
    tls: {enabled: true}
network:
  collector:
    sampling: {192.0.2.1: 100}
`))
	if err != nil {
		t.Fatal(err)
	}
	line, err := cfg.Effective()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(line, "hunter2") || strings.Contains(line, "\n") {
		t.Fatalf("secret or newline in %s", line)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Fatal(err)
	}
	sasl := v["activity"].(map[string]any)["kafka"].(map[string]any)["sasl"].(map[string]any)
	if sasl["password"] != redacted || sasl["username"] != "$ConnectionString" || v["data_dir"] != "vedette-data" {
		t.Fatalf("%v", sasl)
	}
	cfg.Activity.Kafka.SASL.Password, cfg.Activity.Kafka.SASL.PasswordEnv = "", "EH_CONN"
	line, _ = cfg.Effective()
	if !strings.Contains(line, `"password_env":"EH_CONN"`) || strings.Contains(line, redacted) {
		t.Fatalf("env var name hidden or empty password redacted: %s", line)
	}
}
