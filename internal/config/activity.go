package config

import (
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/source/kafka"
)

// Activity configures the live activity sources of `vedette serve`.
type Activity struct {
	// Kafka reads activity logs from Kafka topics or Azure Event Hubs.
	// Without brokers, serve runs no activity source.
	Kafka kafka.Config `yaml:"kafka"`
	// Lateness is how long, in event time, a live event is held so that
	// events arriving out of order are processed in time order (package
	// reorder). Default 5m; at most 24h.
	Lateness time.Duration `yaml:"lateness"`
	// CommitInterval is how often the baselines are saved and then the
	// consumed offsets committed. Default 30s.
	CommitInterval time.Duration `yaml:"commit_interval"`
}

// DefaultActivity returns the activity defaults: no source.
func DefaultActivity() Activity {
	return Activity{Kafka: kafka.DefaultConfig(), Lateness: 5 * time.Minute, CommitInterval: 30 * time.Second}
}

// Live reports whether serve runs an activity source.
func (a Activity) Live() bool { return a.Kafka.Configured() }

func (a Activity) validate() []error {
	var errs []error
	if a.Lateness < 0 || a.Lateness > 24*time.Hour {
		errs = append(errs, fmt.Errorf("activity.lateness: %s is outside [0, 24h]", a.Lateness))
	}
	if a.CommitInterval <= 0 {
		errs = append(errs, fmt.Errorf("activity.commit_interval: %s must be positive", a.CommitInterval))
	}
	k := a.Kafka
	if k.Configured() || len(k.Topics) > 0 || k.SASL.Mechanism != "" || k.TLS.Enabled {
		if err := k.Validate("activity.kafka"); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// validateNetwork validates the network section. With a live activity
// source, or as scale-out roles, an empty flow collector (ipfix: [],
// netflow: []) is allowed and means "no flows": serve then opens no UDP
// port.
func (c *Config) validateNetwork() []error {
	n := c.Network
	if (c.Activity.Live() || c.Sources.Configured() || c.Scaled()) && len(n.Collector.IPFIX)+len(n.Collector.NetFlow) == 0 {
		n.Collector.IPFIX = []string{"127.0.0.1:4739"} // validated as a placeholder, never opened
	}
	return n.validate()
}
