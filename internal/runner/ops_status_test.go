package runner

import (
	"log/slog"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/flowsource"
	"github.com/vedette/vedette/internal/metrics"
	"github.com/vedette/vedette/internal/netdetect"
)

// The status line carries the flow path's counters an operator watches
// for hostile or odd exporters: drops summed, overrun sets, the exporter
// clocks kept and the records refused one at their caps.
func TestStatusLineFlowCounters(t *testing.T) {
	t.Parallel()
	s := metrics.Snapshot{Flows: &metrics.FlowStats{
		Decoder: flowsource.Counters{Packets: 40, Flows: 900, Dropped: 1, Malformed: 2, Overruns: 3},
		Engine:  netdetect.Counters{ClockRefused: 7},
		Gauges:  netdetect.Gauges{OpenHours: 5, Hosts: 4, Clocks: 2},
	}}
	got := map[string]string{}
	for _, a := range statusAttrs(s, time.Now(), 6) {
		attr := a.(slog.Attr)
		got[attr.Key] = attr.Value.String()
	}
	for k, want := range map[string]string{
		"new_alerts": "6", "flow_packets": "40", "flows_decoded": "900", "flow_drops": "3",
		"flow_set_overruns": "3", "open_hours": "5", "hosts": "4", "exporter_clocks": "2", "flows_clock_refused": "7",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q (line: %v)", k, got[k], want, got)
		}
	}
}
