package deliver

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the delivery counters, labelled by output.
type Metrics struct {
	delivered, retried, dead, filtered *prometheus.CounterVec
	lag, cursor                        *prometheus.GaugeVec
}

// Registerer is where the collectors go: a prometheus.Registry, or the
// server's metrics.Registry.
type Registerer interface {
	Register(prometheus.Collector) error
}

// NewMetrics creates the collectors and registers them with reg (nil: not
// registered, e.g. for `vedette detect`).
func NewMetrics(reg Registerer) (*Metrics, error) {
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vedette", Subsystem: "deliver", Name: name, Help: help}, []string{"output"})
	}
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "vedette", Subsystem: "deliver", Name: name, Help: help}, []string{"output"})
	}
	m := &Metrics{
		delivered: counter("delivered_total", "Finding changes delivered."),
		retried:   counter("retried_total", "Finding changes sent again after a failed attempt."),
		dead:      counter("dead_lettered_total", "Finding changes given up on and recorded as dead letters."),
		filtered:  counter("filtered_total", "Finding changes skipped by the output's filter."),
		lag:       gauge("lag_seconds", "Age of the oldest change not yet delivered (0 when caught up)."),
		cursor:    gauge("cursor", "Outbox sequence number delivered up to."),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.delivered, m.retried, m.dead, m.filtered, m.lag, m.cursor} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// outputMetrics are one output's series; with nil Metrics they count into
// collectors nobody reads.
type outputMetrics struct {
	delivered, retried, dead, filtered prometheus.Counter
	lag, cursor                        prometheus.Gauge
}

func (m *Metrics) forOutput(name string) outputMetrics {
	if m == nil {
		m, _ = NewMetrics(nil)
	}
	return outputMetrics{
		delivered: m.delivered.WithLabelValues(name), retried: m.retried.WithLabelValues(name),
		dead: m.dead.WithLabelValues(name), filtered: m.filtered.WithLabelValues(name),
		lag: m.lag.WithLabelValues(name), cursor: m.cursor.WithLabelValues(name),
	}
}
