package config

import (
	"strings"
	"testing"
	"time"
)

func TestClusterSection(t *testing.T) {
	t.Parallel()
	cfg, err := Parse(strings.NewReader(`roles: [detect, api]
network:
  collector: {ipfix: [], netflow: []}
cluster:
  kafka: {brokers: ["127.0.0.1:9092"], group: detect-eu}
  activity_topic: act
  flow_topic: flows
  commit_interval: 5s
  session_timeout: 20s
`))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Cluster
	if !cfg.Scaled() || !cfg.Runs(RoleDetect) || !cfg.Runs(RoleAPI) || cfg.Runs(RoleIngest) ||
		c.Kafka.Group != "detect-eu" || c.ActivityTopic != "act" || c.CommitInterval != 5*time.Second ||
		c.SessionTimeout != 20*time.Second || c.ReadyLag != 100_000 {
		t.Errorf("roles %v, cluster %+v", cfg.Roles, c)
	}
	def := Default()
	if def.Scaled() || !def.Runs(RoleIngest) || !def.Runs(RoleDetect) || !def.Runs(RoleAPI) {
		t.Error("no roles named must run everything, unscaled")
	}
	for _, tt := range []struct{ yaml, want string }{
		{"roles: [collector]", `roles[0]: "collector" is not ingest, detect or api`},
		{"roles: [detect]", "cluster.kafka.brokers: needs at least one host:port"},
		{"roles: [api]\ncluster: {commit_interval: 0s}", "cluster.commit_interval: 0s must be positive"},
		{"cluster: {session_timeout: 1s}", "below Kafka's 6s minimum"},
		{"cluster: {flow_topic: vedette.activity}", "must be distinct"},
		{"cluster: {ready_lag: -1}", "cluster.ready_lag: -1 must not be negative"},
	} {
		if _, err := Parse(strings.NewReader(tt.yaml)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
		}
	}
}
