package runner

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// partView is what /metrics and /readyz see of an owned partition,
// published by the detect loop after each poll.
type partView struct {
	Topic     string
	Partition int32
	partStats
}

// publish copies the owned partitions' counters for the ops side.
func (d *detectRole) publish() {
	v := make([]partView, 0, len(d.parts))
	for k, op := range d.parts {
		v = append(v, partView{Topic: k.Topic, Partition: k.Index, partStats: op.stats})
	}
	slices.SortFunc(v, func(a, b partView) int {
		return cmp.Or(strings.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition))
	})
	d.view.Store(&v)
}

// ready is the detect role's readiness: it has joined the group, and no
// owned partition is more than cluster.ready_lag messages behind.
func (d *detectRole) ready(context.Context) error {
	if !d.joined.Load() {
		return fmt.Errorf("detect: not yet a member of group %s", d.cfg.Kafka.Group)
	}
	v := d.view.Load()
	if v == nil {
		return nil
	}
	for _, p := range *v {
		if p.Lag > d.cfg.ReadyLag {
			return fmt.Errorf("detect: %s/%d is %d messages behind (ready_lag %d)", p.Topic, p.Partition, p.Lag, d.cfg.ReadyLag)
		}
	}
	return nil
}

var (
	partLabels    = []string{"topic", "partition"}
	descOwned     = prometheus.NewDesc("vedette_cluster_owned_partitions", "Internal-topic partitions this detect member owns.", nil, nil)
	descPartMsgs  = prometheus.NewDesc("vedette_cluster_partition_messages_total", "Messages applied, per owned partition (since this member took it).", partLabels, nil)
	descPartLag   = prometheus.NewDesc("vedette_cluster_partition_lag_messages", "Messages between the next one to apply and the partition's end.", partLabels, nil)
	descPartHeld  = prometheus.NewDesc("vedette_cluster_partition_held_items", "Items held for event-time order.", partLabels, nil)
	descPartCmts  = prometheus.NewDesc("vedette_cluster_partition_commits_total", "State, offset and alerts transactions committed.", partLabels, nil)
	descPartAlert = prometheus.NewDesc("vedette_cluster_partition_alerts_total", "New alerts stored by the partition's commits.", partLabels, nil)
	descPartBad   = prometheus.NewDesc("vedette_cluster_partition_undecodable_total", "Internal messages that did not decode, skipped.", partLabels, nil)
	descPartRepl  = prometheus.NewDesc("vedette_cluster_partition_replayed_total", "Flow messages dropped because their source position was already applied (an ingest re-produced them).", partLabels, nil)
	descReplayed  = prometheus.NewDesc("vedette_cluster_replayed_total", "Flow messages this member dropped as replays, over every partition it owned.", nil, nil)
	descPartAge   = prometheus.NewDesc("vedette_cluster_partition_delay_seconds", "Wall time since the newest applied message was produced (end-to-end lag).", partLabels, nil)
)

// detectCollector serves the detect role's per-partition metrics.
type detectCollector struct{ d *detectRole }

func (c detectCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOwned, descPartMsgs, descPartLag, descPartHeld, descPartCmts, descPartAlert, descPartBad, descPartRepl, descReplayed, descPartAge} {
		ch <- d
	}
}

func (c detectCollector) Collect(ch chan<- prometheus.Metric) {
	v := c.d.view.Load()
	if v == nil {
		v = &[]partView{}
	}
	ch <- prometheus.MustNewConstMetric(descOwned, prometheus.GaugeValue, float64(len(*v)))
	ch <- prometheus.MustNewConstMetric(descReplayed, prometheus.CounterValue, float64(c.d.replayed.Load()))
	now := time.Now()
	for _, p := range *v {
		l := []string{p.Topic, strconv.Itoa(int(p.Partition))}
		ch <- prometheus.MustNewConstMetric(descPartMsgs, prometheus.CounterValue, float64(p.Messages), l...)
		ch <- prometheus.MustNewConstMetric(descPartLag, prometheus.GaugeValue, float64(p.Lag), l...)
		ch <- prometheus.MustNewConstMetric(descPartHeld, prometheus.GaugeValue, float64(p.Held), l...)
		ch <- prometheus.MustNewConstMetric(descPartCmts, prometheus.CounterValue, float64(p.Commits), l...)
		ch <- prometheus.MustNewConstMetric(descPartAlert, prometheus.CounterValue, float64(p.Alerts), l...)
		ch <- prometheus.MustNewConstMetric(descPartBad, prometheus.CounterValue, float64(p.Undecodable), l...)
		ch <- prometheus.MustNewConstMetric(descPartRepl, prometheus.CounterValue, float64(p.Replayed), l...)
		if !p.Newest.IsZero() {
			ch <- prometheus.MustNewConstMetric(descPartAge, prometheus.GaugeValue, now.Sub(p.Newest).Seconds(), l...)
		}
	}
}

// bindDetect registers the detect role's metrics and readiness.
func (o *ops) bindDetect(d *detectRole) error {
	o.health.Add("cluster-detect", d.ready)
	return o.metrics.Register(detectCollector{d})
}
