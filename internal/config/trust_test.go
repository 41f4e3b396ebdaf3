package config

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestTrustSettings: the time trust model and the collector's abuse
// bounds are read, defaulted and range-checked.
func TestTrustSettings(t *testing.T) {
	t.Parallel()
	def, err := Parse(strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	if def.Time.MaxFutureSkew != 10*time.Minute || !def.Time.Floor.Equal(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) ||
		def.Network.Collector.ExporterIdle != 10*time.Minute || def.Network.Collector.MaxTemplateMemory != 32<<20 ||
		def.Network.Detections.HourIdle != 30*time.Minute {
		t.Fatalf("defaults: time %+v, collector %+v, hour_idle %s", def.Time, def.Network.Collector, def.Network.Detections.HourIdle)
	}
	cfg, err := Parse(strings.NewReader(`
time: {max_future_skew: 2m, floor: 2015-06-01}
network:
  collector: {exporters: [192.0.2.0/28, "2001:db8::7"], exporter_idle: 90s, max_template_memory: 8388608}
  detections: {hour_idle: 45m}
`))
	if err != nil {
		t.Fatal(err)
	}
	fs := cfg.Network.Collector.FlowSource()
	if cfg.Time.MaxFutureSkew != 2*time.Minute || cfg.Time.Floor.Year() != 2015 || fs.ExporterIdle != 90*time.Second ||
		fs.MaxTemplateMemory != 8<<20 || len(fs.Exporters) != 2 || fs.Exporters[1] != netip.MustParsePrefix("2001:db8::7/128") ||
		cfg.Network.Detections.HourIdle != 45*time.Minute {
		t.Fatalf("parsed: time %+v, flowsource %+v", cfg.Time, fs)
	}
	for _, bad := range []string{
		"time: {max_future_skew: -1m}",
		"time: {max_future_skew: 720h}",
		"time: {floor: 1601-01-01}",
		"time: {floor: 2300-01-01}",
		"network: {collector: {exporters: [999.1.1.1]}}",
		"network: {collector: {exporters: [\"10.0.0.0/33\"]}}",
		"network: {collector: {exporter_idle: 0s}}",
		"network: {collector: {max_template_memory: 100}}",
		"network: {detections: {hour_idle: 1m}}", // below the 5m grace
	} {
		if _, err := Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
