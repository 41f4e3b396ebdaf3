package runner

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vedette/vedette/internal/cluster/clustertest"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/health"
	"github.com/vedette/vedette/internal/metrics"
	"github.com/vedette/vedette/internal/store"
)

// clusterWorld generates the scale-out tests' month: three tenants and a
// small network, and the batch run's alert IDs over it.
func clusterWorld(t *testing.T) (clustertest.World, []string, []event.Alert) {
	t.Helper()
	w, err := clustertest.Generate(t.TempDir(), clustertest.Size{Tenants: 4, Users: 25, Days: 12, VMs: 20, NetDays: 4, Spread: 4})
	if err != nil {
		t.Fatal(err)
	}
	cfg := w.Config()
	cfg.DataDir = t.TempDir()
	batch, _ := detectFiles(t, cfg, append(slices.Clone(w.Activity), w.Flows...)...)
	want := ids(batch)
	if len(want) < 20 {
		t.Fatalf("the generated month raised %d alerts: too few to compare", len(want))
	}
	return w, want, batch
}

// messages are the world's source-topic messages: activity, flow logs.
func messages(t *testing.T, w clustertest.World) (act, flows [][]byte) {
	t.Helper()
	act, err := clustertest.ActivityMessages(w.Activity, 7)
	if err != nil {
		t.Fatal(err)
	}
	if flows, err = clustertest.FlowLogMessages(w.Flows); err != nil {
		t.Fatal(err)
	}
	return act, flows
}

// ingestAll produces messages to the source topics and runs an ingest
// role over them until everything is on the internal topics. With kill,
// an ingest role runs first and is killed after the internal topic
// acknowledged its first flow-log batch, before it commits the source
// offsets: the second one produces that batch again.
func ingestAll(t *testing.T, brokers []string, cfg config.Config, act, flows [][]byte, kill bool) {
	t.Helper()
	ctx := t.Context()
	if err := clustertest.Produce(ctx, brokers, clustertest.ActivitySource, 3, act); err != nil {
		t.Fatal(err)
	}
	if err := clustertest.Produce(ctx, brokers, clustertest.FlowLogSource, 1, flows); err != nil {
		t.Fatal(err)
	}
	ic := clustertest.Live(cfg, brokers, config.RoleIngest)
	if kill {
		killIngest(t, ic)
	}
	err := clustertest.Ingest(ctx, brokers, len(act), 3, func(ctx context.Context, progress func(int, int)) error {
		return Serve(ctx, ic, ServeOptions{FlushOnStop: true, ActivityProgress: func(c ActivityCounters) {
			progress(c.Kafka.Messages, c.Kafka.CaughtUp)
		}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// killIngest runs an ingest role over the flow-log topic until the
// internal topic acknowledged a flow-log batch, then stops it before it
// commits the batch's source offsets, as a kill would. (Repeated activity
// events are no-ops by key and watermark; activity is left to the next
// run, which must read all of it.)
func killIngest(t *testing.T, ic config.Config) {
	t.Helper()
	ic.Activity.Kafka.Brokers = nil
	var produced int
	err := Serve(t.Context(), ic, ServeOptions{killIngest: func(n int) bool {
		produced += n
		return produced > 0
	}})
	if !errors.Is(err, errIngestKilled) || produced == 0 {
		t.Fatalf("killed ingest: %v after %d flow messages", err, produced)
	}
	t.Logf("ingest killed after producing %d flow messages", produced)
}

// TestClusterMatchesBatch: the month through the ingest role and detect
// members stores the batch run's alerts, no more, no fewer, with the same
// IDs and evidence (the flows counted), although every partition changes
// owner midway: one member reads the first half and stops (committing
// each partition's state, held events and offset), then two members take
// the partitions over from the store and read the second half, which an
// ingest killed mid-batch produced partly twice (dropped as replays by
// their source position).
func TestClusterMatchesBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a month and runs Kafka in process")
	}
	w, want, batch := clusterWorld(t)
	kc, err := clustertest.NewKafka(clustertest.Partitions{ActivitySource: 3, FlowLogSource: 1, Internal: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	brokers := kc.ListenAddrs()
	cfg := w.Config()
	cfg.DataDir = t.TempDir()
	act, flows := messages(t, w)
	ingestAll(t, brokers, cfg, act[:len(act)/2], flows[:len(flows)/2], false)

	dc := clustertest.Live(cfg, brokers, config.RoleDetect)
	s, err := OpenStore(dc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	member := func(ctx context.Context, opts ServeOptions) chan error {
		done := make(chan error, 1)
		go func() { done <- Serve(ctx, dc, opts) }()
		return done
	}
	caughtUp := func() {
		t.Helper()
		err := clustertest.Poll(ctx, 60*time.Second, "detect caught up", func() (bool, error) {
			ok, _, err := clustertest.DetectCaughtUp(ctx, brokers, s, dc.Cluster.Kafka.Group)
			return ok, err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx1, stop1 := context.WithCancel(ctx)
	done1 := member(ctx1, ServeOptions{})
	caughtUp()
	stop1()
	if err := <-done1; err != nil {
		t.Fatal(err)
	}
	ingestAll(t, brokers, cfg, act[len(act)/2:], flows[len(flows)/2:], true)
	moved := movedMidway(t, s, brokers, dc.Cluster.Kafka.Group)
	ctx2, stop2 := context.WithCancel(ctx)
	defer stop2()
	reg, reg3, h := metrics.New(), metrics.New(), health.New()
	done2, done3 := member(ctx2, ServeOptions{FlushOnStop: true, Metrics: reg, Health: h}), member(ctx2, ServeOptions{FlushOnStop: true, Metrics: reg3})
	caughtUp()
	checkDetectOps(t, reg, h)
	if n := replayedTotal(t, reg) + replayedTotal(t, reg3); n == 0 {
		t.Error("no flow message was dropped as a replay, although the killed ingest's batch was produced twice")
	} else {
		t.Logf("%v replayed flow messages dropped", n)
	}
	stop2()
	for _, done := range []chan error{done2, done3} {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	got := storedIDs(t, dc)
	checkEvidence(t, dc, batch)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cluster alert IDs differ from one batch (-batch +cluster):\n%s", diff)
		for _, a := range batch {
			if _, found := slices.BinarySearch(got, a.ID); !found {
				t.Logf("missing %s %s %s %s", a.ID, a.Detection, a.Time, a.Principal)
			}
		}
	}
	t.Logf("%d alerts; partitions taken over midway: %v", len(got), moved)
}

// movedMidway returns the partitions whose stored offset is past their
// start and before their end, and fails unless both topics have one.
func movedMidway(t *testing.T, s *store.Store, brokers []string, group string) []string {
	t.Helper()
	end, err := clustertest.EndOffsets(t.Context(), brokers, clustertest.ActivityTopic, clustertest.FlowTopic)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.PartitionOffsets(t.Context(), group)
	if err != nil {
		t.Fatal(err)
	}
	var moved []string
	topics := map[string]bool{}
	for p, off := range got {
		if off > 0 && off < end[p] {
			moved = append(moved, p)
			topics[strings.SplitN(p, "/", 2)[0]] = true
		}
	}
	slices.Sort(moved)
	if !topics[clustertest.ActivityTopic] || !topics[clustertest.FlowTopic] {
		t.Fatalf("stored offsets %v of %v: no activity or no flow partition stopped midway", got, end)
	}
	held := 0
	for _, p := range moved {
		topic, n, _ := strings.Cut(p, "/")
		idx, _ := strconv.Atoi(n)
		st, err := s.LoadPartition(t.Context(), store.Partition{Group: group, Topic: topic, Index: int32(idx)})
		if err != nil {
			t.Fatal(err)
		}
		var h struct{ Items []json.RawMessage }
		if err := json.Unmarshal(st.Parts["held"], &h); err != nil {
			t.Fatalf("%s held items: %v", p, err)
		}
		held += len(h.Items)
		var marks map[string]json.RawMessage
		if err := json.Unmarshal(st.Parts["marks"], &marks); topic == clustertest.FlowTopic && (err != nil || len(marks) != 1) {
			t.Errorf("%s source marks %s (%v): want one, for the one flow-log partition", p, st.Parts["marks"], err)
		}
	}
	if held == 0 {
		t.Fatal("no partition handed over held items: the handover of event-time order is not exercised")
	}
	return moved
}

// checkDetectOps: a caught-up member is ready, owns partitions, and
// reports each one's metrics with no lag.
func checkDetectOps(t *testing.T, reg *metrics.Registry, h *health.Health) {
	t.Helper()
	if err := h.Run(t.Context())["cluster-detect"]; err != nil {
		t.Errorf("caught-up member not ready: %v", err)
	}
	var owned float64
	lags := map[string]float64{}
	err := clustertest.Poll(t.Context(), 10*time.Second, "metrics published", func() (bool, error) {
		fams, err := reg.Gatherer().Gather()
		for _, f := range fams {
			for _, m := range f.GetMetric() {
				switch f.GetName() {
				case "vedette_cluster_owned_partitions":
					owned = m.GetGauge().GetValue()
				case "vedette_cluster_partition_lag_messages":
					lags[m.GetLabel()[1].GetValue()+"/"+m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
				}
			}
		}
		return owned > 0 && len(lags) == int(owned), err
	})
	if err != nil {
		t.Fatalf("%v: owned %v, lag per partition %v", err, owned, lags)
	}
	for p, lag := range lags {
		if lag != 0 {
			t.Errorf("caught-up partition %s reports lag %v", p, lag)
		}
	}
}

// replayedTotal is a detect member's vedette_cluster_replayed_total.
func replayedTotal(t *testing.T, reg *metrics.Registry) float64 {
	t.Helper()
	fams, err := reg.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == "vedette_cluster_replayed_total" {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("no vedette_cluster_replayed_total")
	return 0
}

// checkEvidence: each stored alert's evidence (for network alerts, the
// flows, bytes and peers counted in the hour) equals the batch run's
// alert of the same ID, so no flow was counted twice or missed. Only
// where the evidence was read differs (a file and line, a source
// message).
func checkEvidence(t *testing.T, cfg config.Config, batch []event.Alert) {
	t.Helper()
	st, err := OpenStore(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	want := map[string][]event.Evidence{}
	for _, a := range batch {
		want[a.ID] = a.Evidence
	}
	compared := 0
	err = st.EachAlert(t.Context(), func(a store.StoredAlert) error {
		if w, ok := want[a.ID]; ok {
			compared++
			if diff := cmp.Diff(w, a.Evidence, cmpopts.IgnoreFields(event.Evidence{}, "Source", "Record")); diff != "" {
				t.Errorf("alert %s %s evidence differs from the batch run's (-batch +cluster):\n%s", a.ID, a.Detection, diff)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if compared == 0 {
		t.Error("no stored alert to compare with the batch run")
	}
}
