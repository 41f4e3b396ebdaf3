// Package metrics exposes Vedette's operation in the Prometheus text
// format. It keeps its own registry (never the global default), names
// every metric vedette_<what>_<unit>, uses base units (seconds, bytes) and
// never labels by user, principal, host or IP: labels are bounded sets
// (source kind, reason, detection, severity, operation).
//
// Counters that the components already keep (the flow decoder's, the
// network engine's, the activity pipeline's) are not counted again: the
// collectors in flows.go and activity.go read them at scrape time through
// functions the caller provides. Only what no component counts is counted
// here: new alerts, store latency and configuration reloads.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "vedette"

// Registry holds Vedette's metrics. Its methods are safe for concurrent use.
type Registry struct {
	reg     *prometheus.Registry
	alerts  *prometheus.CounterVec
	supp    *prometheus.CounterVec
	store   *prometheus.HistogramVec
	reloads *prometheus.CounterVec
	snap    *snapshotCollector
}

// New returns a registry with the process and Go runtime collectors and
// Vedette's own counters.
func New() *Registry {
	r := &Registry{
		reg:  prometheus.NewRegistry(),
		snap: &snapshotCollector{now: time.Now},
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "alerts_total",
			Help: "New alerts stored (re-raised alerts are not counted again), by detection and severity.",
		}, []string{"detection", "severity"}),
		supp: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "alerts_suppressed_total",
			Help: "New alerts stored dismissed by a suppression rule (also in vedette_alerts_total), by detection.",
		}, []string{"detection"}),
		store: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "store_operation_duration_seconds",
			Help:    "Duration of store operations, by operation.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10), // 100 µs .. 26 s
		}, []string{"operation"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "reloads_total",
			Help: "Reloads asked for by SIGHUP, by what was reloaded and result (ok, error).",
		}, []string{"what", "result"}),
	}
	r.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		r.alerts, r.supp, r.store, r.reloads, r.snap,
	)
	return r
}

// Handler serves the metrics in the Prometheus exposition formats.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Gatherer is the underlying registry, for tests and embedding.
func (r *Registry) Gatherer() prometheus.Gatherer { return r.reg }

// Register adds a collector (for components with metrics of their own).
func (r *Registry) Register(c prometheus.Collector) error { return r.reg.Register(c) }

// Alert counts one new alert; suppressed says a rule dismissed it.
func (r *Registry) Alert(detection, severity string, suppressed bool) {
	r.alerts.WithLabelValues(detection, severity).Inc()
	if suppressed {
		r.supp.WithLabelValues(detection).Inc()
	}
}

// ObserveStore records how long a store operation took. It is the hook
// the store (or its caller) calls; operation is a fixed name such as
// "add_alerts", "save_baselines" or "save_network".
func (r *Registry) ObserveStore(operation string, d time.Duration) {
	r.store.WithLabelValues(operation).Observe(d.Seconds())
}

// Reload counts a reload of what (config, lists, inventory); err nil is ok.
func (r *Registry) Reload(what string, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	r.reloads.WithLabelValues(what, result).Inc()
}
