package metrics

import (
	"errors"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/flowsource"
	"github.com/vedette/vedette/internal/metrics/metricstest"
)

var exporter = netip.MustParseAddrPort("192.0.2.10:50000")

func scrape(t *testing.T, r *Registry) metricstest.Families {
	t.Helper()
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	f, err := metricstest.Scrape(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func want(t *testing.T, f metricstest.Families, v float64, name string, labels ...string) {
	t.Helper()
	got, ok := f.Value(name, labels...)
	if !ok || got != v {
		t.Errorf("%s%v = %v (present %v), want %v", name, labels, got, ok, v)
	}
}

// TestDecodeErrorsScraped feeds a real decoder real and broken packets and
// reads its counters back from a /metrics scrape: each decode error moves
// the counter of its reason, and only that one.
func TestDecodeErrorsScraped(t *testing.T) {
	dec := flowsource.NewDecoder(flowsource.DefaultConfig())
	r := New()
	r.Watch(func() Snapshot {
		return Snapshot{Flows: &FlowStats{Decoder: dec.Counters(), KernelDropsErr: errors.New("none here")}}
	})
	data, err := os.ReadFile("../flowsource/testdata/logstash/ipfix_test_mikrotik_data258.dat")
	if err != nil {
		t.Fatal(err)
	}
	f := scrape(t, r)
	want(t, f, 0, "vedette_flow_drops_total", "reason", "unknown_template")
	if _, ok := f.Value("vedette_flow_drops_total", "reason", "kernel"); ok {
		t.Error("kernel drops reported though they could not be read")
	}

	dec.Decode(exporter, data, nil) // data before its template
	f = scrape(t, r)
	want(t, f, 1, "vedette_flow_packets_total")
	want(t, f, 1, "vedette_flow_drops_total", "reason", "unknown_template")
	want(t, f, 0, "vedette_flow_drops_total", "reason", "truncated")

	dec.Decode(exporter, []byte{0, 7, 1, 2}, nil)           // version 7
	dec.Decode(exporter, []byte{0, 5, 0, 30, 1, 2, 3}, nil) // NetFlow v5 claiming 30 records
	f = scrape(t, r)
	want(t, f, 3, "vedette_flow_packets_total")
	want(t, f, 1, "vedette_flow_drops_total", "reason", "bad_version")
	want(t, f, 1, "vedette_flow_drops_total", "reason", "truncated")
	want(t, f, 1, "vedette_flow_drops_total", "reason", "unknown_template")
	want(t, f, 0, "vedette_flow_records_decoded_total")
}

func TestSourcesAlertsAndStore(t *testing.T) {
	r := New()
	newest := time.Now().Add(-90 * time.Second)
	r.Watch(func() Snapshot {
		return Snapshot{Sources: []SourceStats{{
			Kind: "kafka", Read: 10, Late: 2, Newest: newest,
			Rejected: map[string]uint64{"bad_json": 3, "unknown_format": 1},
		}}}
	})
	r.Alert("impossible-travel", "High", false)
	r.Alert("impossible-travel", "High", true)
	r.Alert("honeypot", "Medium", false)
	r.ObserveStore("add_alerts", 3*time.Millisecond)
	r.Reload("inventory", nil)
	r.Reload("inventory", errors.New("bad line"))
	f := scrape(t, r)
	want(t, f, 10, "vedette_events_read_total", "source", "kafka")
	want(t, f, 2, "vedette_events_late_total", "source", "kafka")
	want(t, f, 3, "vedette_events_rejected_total", "source", "kafka", "reason", "bad_json")
	want(t, f, 1, "vedette_events_rejected_total", "source", "kafka", "reason", "unknown_format")
	want(t, f, 2, "vedette_alerts_total", "detection", "impossible-travel", "severity", "High")
	want(t, f, 1, "vedette_alerts_total", "detection", "honeypot", "severity", "Medium")
	want(t, f, 1, "vedette_alerts_suppressed_total", "detection", "impossible-travel")
	want(t, f, 1, "vedette_store_operation_duration_seconds", "operation", "add_alerts")
	want(t, f, 1, "vedette_reloads_total", "what", "inventory", "result", "error")
	lag, ok := f.Value("vedette_event_time_lag_seconds", "source", "kafka")
	if !ok || lag < 90 || lag > 150 {
		t.Errorf("lag %v s, want about 90", lag)
	}
}

// TestNaming holds every metric of a full snapshot to the conventions:
// vedette_ prefix, counters end in _total, and no label that could carry a
// user, principal, host or IP.
func TestNaming(t *testing.T) {
	r := New()
	r.Watch(func() Snapshot {
		return Snapshot{
			Sources:  []SourceStats{{Kind: "flow", Newest: time.Now()}},
			Flows:    &FlowStats{},
			Activity: &ActivityStats{},
		}
	})
	r.Alert("d", "Low", true)
	r.ObserveStore("x", time.Millisecond)
	r.Reload("config", nil)
	allowed := map[string]bool{"source": true, "reason": true, "detection": true, "severity": true, "operation": true, "what": true, "result": true}
	n := 0
	for name, fam := range scrape(t, r) {
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
			continue
		}
		n++
		if !strings.HasPrefix(name, "vedette_") {
			t.Errorf("%s: no vedette_ prefix", name)
		}
		if fam.GetType().String() == "COUNTER" && !strings.HasSuffix(name, "_total") {
			t.Errorf("%s: counter without _total", name)
		}
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				if !allowed[l.GetName()] {
					t.Errorf("%s: label %q", name, l.GetName())
				}
			}
		}
	}
	if n < 25 {
		t.Errorf("only %d vedette families exposed", n)
	}
}
