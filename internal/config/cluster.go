package config

import (
	"fmt"
	"slices"
	"time"

	"github.com/vedette/vedette/internal/source/kafka"
)

// Roles `vedette serve` can run (config roles:). None named: everything
// on one machine, as without scale-out.
const (
	RoleIngest = "ingest" // sources → normalised events on the internal topics
	RoleDetect = "detect" // internal topics → detections, state and alerts in the store
	RoleAPI    = "api"    // the HTTP API and console over the store
)

// Cluster configures scale-out (docs/SCALEOUT.md): the internal Kafka
// topics between the ingest and detect roles.
type Cluster struct {
	// Kafka is the cluster holding the internal topics: brokers, client
	// ID, SASL and TLS as for activity.kafka. Group is the detect roles'
	// consumer group (default "vedette-detect"); topics are not set here.
	Kafka kafka.Config `yaml:"kafka"`
	// ActivityTopic carries normalised activity events keyed by tenant.
	// Default "vedette.activity".
	ActivityTopic string `yaml:"activity_topic"`
	// FlowTopic carries flow records keyed by monitored address, once
	// per monitored side. Default "vedette.flows".
	FlowTopic string `yaml:"flow_topic"`
	// FlowLogs, when it names brokers and topics, is read by the ingest
	// role as Azure NSG/VNet flow-log documents (one per message).
	FlowLogs kafka.Config `yaml:"flowlogs"`
	// CommitInterval is how often a detect role commits each partition
	// it owns (state, offset and alerts in one transaction): the alert
	// latency and the work a takeover repeats. Default 2s.
	CommitInterval time.Duration `yaml:"commit_interval"`
	// SessionTimeout is how long the group waits for a silent member
	// (killed, partitioned) before moving its partitions. Default 10s.
	SessionTimeout time.Duration `yaml:"session_timeout"`
	// ReadyLag is how many messages an owned partition may be behind
	// before /readyz reports the detect role not ready. Default 100000.
	ReadyLag int64 `yaml:"ready_lag"`
}

// DefaultCluster returns the scale-out defaults; no brokers.
func DefaultCluster() Cluster {
	k := kafka.DefaultConfig()
	k.Group = "vedette-detect"
	return Cluster{Kafka: k, ActivityTopic: "vedette.activity", FlowTopic: "vedette.flows",
		FlowLogs: kafka.DefaultConfig(), CommitInterval: 2 * time.Second, SessionTimeout: 10 * time.Second, ReadyLag: 100_000}
}

// Runs reports whether serve runs role: every role when none is named.
func (c *Config) Runs(role string) bool { return len(c.Roles) == 0 || slices.Contains(c.Roles, role) }

// Scaled reports whether serve runs as a scale-out role (roles: named).
func (c *Config) Scaled() bool { return len(c.Roles) > 0 }

func (c *Config) validateCluster() []error {
	var errs []error
	for i, r := range c.Roles {
		if r != RoleIngest && r != RoleDetect && r != RoleAPI {
			errs = append(errs, fmt.Errorf("roles[%d]: %q is not ingest, detect or api", i, r))
		}
	}
	k := c.Cluster
	if k.CommitInterval <= 0 {
		errs = append(errs, fmt.Errorf("cluster.commit_interval: %s must be positive", k.CommitInterval))
	}
	if k.SessionTimeout < 6*time.Second {
		errs = append(errs, fmt.Errorf("cluster.session_timeout: %s is below Kafka's 6s minimum", k.SessionTimeout))
	}
	if k.ActivityTopic == "" || k.FlowTopic == "" || k.ActivityTopic == k.FlowTopic {
		errs = append(errs, fmt.Errorf("cluster: activity_topic %q and flow_topic %q must be distinct and set", k.ActivityTopic, k.FlowTopic))
	}
	if k.ReadyLag < 0 {
		errs = append(errs, fmt.Errorf("cluster.ready_lag: %d must not be negative", k.ReadyLag))
	}
	if c.Scaled() && (c.Runs(RoleIngest) || c.Runs(RoleDetect)) {
		kc := k.Kafka
		kc.Topics = []string{k.ActivityTopic, k.FlowTopic}
		if err := kc.Validate("cluster.kafka"); err != nil {
			errs = append(errs, err)
		}
	}
	if f := k.FlowLogs; f.Configured() || len(f.Topics) > 0 {
		if err := f.Validate("cluster.flowlogs"); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
