package runner

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// cloudMetrics exposes the pollers' counters at scrape time, labelled by
// source: its containers (azblob:<account>/<container>, comma-separated)
// or bucket (s3:<bucket>), a set the configuration bounds.
type cloudMetrics struct {
	pollers []poller
	names   []string
	stats   []*pollStats
	seen    map[string]*pollStats // by stream (progress key)
	descs   map[string]*prometheus.Desc
}

// pollStats are a poller's own counters, beside its source's.
type pollStats struct {
	errors  atomic.Int64
	lastOK  atomic.Int64 // unix ns of the last poll that read everything
	records atomic.Int64 // items read (events and flow records)
	newest  atomic.Int64 // unix ns of the newest item read
}

func (s *pollStats) saw(t time.Time) {
	s.records.Add(1)
	ns := t.UnixNano()
	for {
		old := s.newest.Load()
		if ns <= old || s.newest.CompareAndSwap(old, ns) {
			return
		}
	}
}

var cloudMetricHelp = map[string]string{
	"blobs_listed_total": "Blobs and objects listed.",
	"blob_reads_total":   "Ranged reads of blobs and objects.",
	"bytes_read_total":   "Bytes read from blobs and objects.",
	"records_total":      "Activity events and flow records read from blobs and objects.",
	"throttled_total":    "Responses 429 or 503, retried with backoff.",
	"resyncs_total":      "Blobs read again from the start: rewritten, smaller than before, or changed while read.",
	"rejected_total":     "Blobs or windows of them set aside (too large, not records).",
	"errors_total":       "Polls that failed (retried after a doubling backoff).",
	"lag_seconds":        "Wall time minus the newest event time read.",
	"poll_age_seconds":   "Seconds since the last poll that read everything.",
}

func newCloudMetrics(pollers []poller) *cloudMetrics {
	m := &cloudMetrics{pollers: pollers, seen: map[string]*pollStats{}, descs: map[string]*prometheus.Desc{}}
	for _, p := range pollers {
		st := &pollStats{}
		streams := p.Streams()
		name := strings.Join(streams, ",")
		if slices.Contains(m.names, name) { // the same place at two endpoints
			name = fmt.Sprintf("%s#%d", name, len(m.names))
		}
		m.names, m.stats = append(m.names, name), append(m.stats, st)
		for _, s := range streams {
			m.seen[s] = st
		}
	}
	for n, help := range cloudMetricHelp {
		m.descs[n] = prometheus.NewDesc("vedette_cloud_"+n, help, []string{"source"}, nil)
	}
	return m
}

func (m *cloudMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range m.descs {
		ch <- d
	}
}

func (m *cloudMetrics) Collect(ch chan<- prometheus.Metric) {
	now := time.Now()
	for i, p := range m.pollers {
		c, st, name := p.Counters(), m.stats[i], m.names[i]
		counter := func(n string, v int64) {
			ch <- prometheus.MustNewConstMetric(m.descs[n], prometheus.CounterValue, float64(v), name)
		}
		gauge := func(n string, ns int64) {
			v := 0.0
			if ns != 0 {
				v = now.Sub(time.Unix(0, ns)).Seconds()
			}
			ch <- prometheus.MustNewConstMetric(m.descs[n], prometheus.GaugeValue, v, name)
		}
		counter("blobs_listed_total", c.Listed)
		counter("blob_reads_total", c.Reads)
		counter("bytes_read_total", c.Bytes)
		counter("records_total", st.records.Load())
		counter("throttled_total", c.Throttled)
		counter("resyncs_total", c.Resyncs)
		counter("rejected_total", c.Rejected)
		counter("errors_total", st.errors.Load())
		gauge("lag_seconds", st.newest.Load())
		gauge("poll_age_seconds", st.lastOK.Load())
	}
}
