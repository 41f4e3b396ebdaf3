package metrics

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
}

var (
	eventsRead     = desc("events_read_total", "Events (activity records, flow records) read, by source kind.", "source")
	eventsRejected = desc("events_rejected_total", "Input records rejected and set aside, by source kind and reason.", "source", "reason")
	eventsLate     = desc("events_late_total", "Events older than what was already processed, by source kind.", "source")
	eventLag       = desc("event_time_lag_seconds", "Wall clock minus the newest event time read, by source kind.", "source")

	flowPackets   = desc("flow_packets_total", "UDP datagrams read by the flow collector.")
	flowDecoded   = desc("flow_records_decoded_total", "Flow records decoded.")
	flowDrops     = desc("flow_drops_total", "Flow input dropped, by reason: datagrams (kernel, exporter_cap, bad_version, malformed), data sets (unknown_template, truncated) or templates (template_rejected).", "reason")
	flowBuffer    = desc("flow_receive_buffer_bytes", "Receive buffer of each collector socket as the kernel reads it back (Linux: twice the bytes set); below twice network.collector.read_buffer, net.core.rmem_max capped it.", "listen")
	flowWithdrawn = desc("flow_templates_withdrawn_total", "Templates withdrawn by exporters.")
	flowOverruns  = desc("flow_sets_overrun_total", "Data sets of variable-length templates whose records run past their set: decoded by goflow2 with the cut record empty or truncated, or failed (then also a drop, truncated or malformed).")

	netObserved    = desc("netdetect_flows_total", "Flow records seen by the network detections.")
	netUnmonitored = desc("netdetect_flows_unmonitored_total", "Flow records touching no monitored IP.")
	netHostDrops   = desc("netdetect_flows_host_cap_total", "Flow records dropped at the host cap (network.max_hosts).")
	netClosed      = desc("netdetect_hours_closed_total", "Host-hours closed and evaluated.")
	netNotHeld     = desc("netdetect_hours_not_held_total", "Host-hours skipped by the one-hour rule.")
	netOpen        = desc("netdetect_open_hours", "Host-hours open, waiting for the event-time watermark.")
	netClocks      = desc("netdetect_exporter_clocks", "Exporter clocks kept, one per exporter address and observation domain (source ID).")
	netClockRefuse = desc("netdetect_flows_clock_refused_total", "Flow records of an exporter address and observation domain refused a clock at the clock caps: counted, but they hold no hour open and close none.")
	trackedHosts   = desc("tracked_hosts", "Hosts with a learned usual-hours history.")

	pipeProcessed = desc("pipeline_events_processed_total", "Activity events run through the detections.")
	pipeReplayed  = desc("pipeline_events_replayed_total", "Activity events recognised as already processed.")
	pipeAllowed   = desc("pipeline_alerts_allow_listed_total", "Alerts dropped because their IP is allow-listed.")
	reorderHeld   = desc("reorder_held_events", "Activity events held in event-time order, waiting for the watermark.")
	principals    = desc("tracked_principals", "Principals tracked by the baselines.")

	kafkaMessages   = desc("kafka_messages_total", "Kafka messages consumed.")
	kafkaFetchErrs  = desc("kafka_fetch_errors_total", "Kafka fetch errors.")
	kafkaCommits    = desc("kafka_commits_total", "Kafka offset commits.")
	kafkaPartitions = desc("kafka_partitions", "Kafka partitions assigned to this consumer.")
	kafkaCaughtUp   = desc("kafka_caught_up_partitions", "Assigned partitions read up to the broker's high watermark (or silent).")
)

// snapshotCollector turns a Snapshot, read at each scrape, into metrics.
type snapshotCollector struct {
	mu   sync.Mutex
	read func() Snapshot
	now  func() time.Time
}

// Watch sets the function the collector reads the live paths' state with
// at each scrape. It is called from the scraping goroutine and must be
// safe for that. A later call replaces the earlier one.
func (r *Registry) Watch(read func() Snapshot) {
	r.snap.mu.Lock()
	defer r.snap.mu.Unlock()
	r.snap.read = read
}

func (c *snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		eventsRead, eventsRejected, eventsLate, eventLag,
		flowPackets, flowDecoded, flowDrops, flowWithdrawn, flowOverruns,
		netObserved, netUnmonitored, netHostDrops, netClosed, netNotHeld, netOpen, netClocks, netClockRefuse, trackedHosts,
		pipeProcessed, pipeReplayed, pipeAllowed, reorderHeld, principals,
		kafkaMessages, kafkaFetchErrs, kafkaCommits, kafkaPartitions, kafkaCaughtUp,
	} {
		ch <- d
	}
}

func (c *snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	read := c.read
	c.mu.Unlock()
	if read == nil {
		return
	}
	s := read()
	now := c.now()
	for _, src := range s.Sources {
		collectSource(ch, src, now)
	}
	if s.Flows != nil {
		collectFlows(ch, s.Flows)
	}
	if s.Activity != nil {
		collectActivity(ch, s.Activity)
	}
}

func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v uint64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func collectSource(ch chan<- prometheus.Metric, s SourceStats, now time.Time) {
	counter(ch, eventsRead, s.Read, s.Kind)
	counter(ch, eventsLate, s.Late, s.Kind)
	for reason, n := range s.Rejected {
		counter(ch, eventsRejected, n, s.Kind, reason)
	}
	if !s.Newest.IsZero() {
		gauge(ch, eventLag, now.Sub(s.Newest).Seconds(), s.Kind)
	}
}

func collectFlows(ch chan<- prometheus.Metric, f *FlowStats) {
	d := f.Decoder
	counter(ch, flowPackets, d.Packets)
	counter(ch, flowDecoded, d.Flows)
	for _, r := range []struct {
		reason string
		n      uint64
	}{
		{"exporter_cap", d.Dropped}, {"truncated", d.Truncated}, {"unknown_template", d.UnknownTemplate},
		{"bad_version", d.BadVersion}, {"template_rejected", d.TemplateRejected}, {"malformed", d.Malformed},
		{"not_allowed", d.NotAllowed}, {"template_memory", d.TemplateMemory},
	} {
		counter(ch, flowDrops, r.n, r.reason)
	}
	if f.KernelDropsErr == nil {
		counter(ch, flowDrops, f.KernelDrops, "kernel")
	}
	for _, b := range f.Buffers {
		if b.Effective > 0 {
			gauge(ch, flowBuffer, float64(b.Effective), b.Listen.String())
		}
	}
	counter(ch, flowWithdrawn, d.Withdrawn)
	counter(ch, flowOverruns, d.Overruns)
	e := f.Engine
	counter(ch, netObserved, e.Flows)
	counter(ch, netUnmonitored, e.Unmonitored)
	counter(ch, netHostDrops, e.HostDrops)
	counter(ch, netClosed, e.HoursClosed)
	counter(ch, netNotHeld, e.NotHeld)
	counter(ch, netClockRefuse, e.ClockRefused)
	gauge(ch, netOpen, float64(f.Gauges.OpenHours))
	gauge(ch, netClocks, float64(f.Gauges.Clocks))
	gauge(ch, trackedHosts, float64(f.Gauges.Hosts))
}

func collectActivity(ch chan<- prometheus.Metric, a *ActivityStats) {
	counter(ch, pipeProcessed, uint64(a.Pipeline.Processed))
	counter(ch, pipeReplayed, uint64(a.Pipeline.Replayed))
	counter(ch, pipeAllowed, uint64(a.Pipeline.AllowListed))
	gauge(ch, reorderHeld, float64(a.Held))
	gauge(ch, principals, float64(a.Principals))
	k := a.Kafka
	counter(ch, kafkaMessages, uint64(k.Messages))
	counter(ch, kafkaFetchErrs, uint64(k.FetchErrors))
	counter(ch, kafkaCommits, uint64(k.Commits))
	gauge(ch, kafkaPartitions, float64(k.Partitions))
	gauge(ch, kafkaCaughtUp, float64(k.CaughtUp))
}
