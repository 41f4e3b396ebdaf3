package config

import (
	"fmt"
	"net"
	"time"
)

// Ops configures how `vedette serve` is operated.
type Ops struct {
	// Listen is the address of the operations HTTP listener, serving
	// /metrics (Prometheus), /healthz and /readyz without authentication.
	// Empty (the default): no listener. Keep it on loopback or a
	// management network, e.g. "127.0.0.1:9464".
	Listen string `yaml:"listen"`
	// StatusInterval is how often serve logs a one-line status (flows,
	// events, rejections, alerts, lag). Default 5m; 0 turns it off.
	StatusInterval time.Duration `yaml:"status_interval"`
}

// DefaultOps returns the operations defaults.
func DefaultOps() Ops { return Ops{StatusInterval: 5 * time.Minute} }

func (o Ops) validate() []error {
	var errs []error
	if o.Listen != "" {
		if _, _, err := net.SplitHostPort(o.Listen); err != nil {
			errs = append(errs, fmt.Errorf("ops.listen: %w", err))
		}
	}
	if o.StatusInterval < 0 {
		errs = append(errs, fmt.Errorf("ops.status_interval: %s is negative", o.StatusInterval))
	}
	return errs
}
