package runner

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/cluster/clustertest"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/store"
)

// clusterWorld generates the scale-out tests' month: three tenants and a
// small network, and the batch run's alert IDs over it.
func clusterWorld(t *testing.T) (clustertest.World, []string) {
	t.Helper()
	w, err := clustertest.Generate(t.TempDir(), clustertest.Size{Tenants: 3, Users: 25, Days: 12, VMs: 20, NetDays: 4})
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
	return w, want
}

// ingestAll produces the world to the source topics and runs an ingest
// role over them until everything is on the internal topics.
func ingestAll(t *testing.T, w clustertest.World, brokers []string, cfg config.Config) {
	t.Helper()
	act, err := clustertest.ActivityMessages(w.Activity, 7)
	if err != nil {
		t.Fatal(err)
	}
	flows, err := clustertest.FlowLogMessages(w.Flows)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := clustertest.Produce(ctx, brokers, clustertest.ActivitySource, 3, act); err != nil {
		t.Fatal(err)
	}
	if err := clustertest.Produce(ctx, brokers, clustertest.FlowLogSource, 1, flows); err != nil {
		t.Fatal(err)
	}
	ic := clustertest.Live(cfg, brokers, config.RoleIngest)
	err = clustertest.Ingest(ctx, brokers, len(act), 3, func(ctx context.Context, progress func(int, int)) error {
		return Serve(ctx, ic, ServeOptions{FlushOnStop: true, ActivityProgress: func(c ActivityCounters) {
			progress(c.Kafka.Messages, c.Kafka.CaughtUp)
		}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// storedIDs are the IDs of every alert in s, sorted.
func storedIDs(t *testing.T, s *store.Store) []string {
	t.Helper()
	var got []string
	if err := s.EachAlert(t.Context(), func(a store.StoredAlert) error { got = append(got, a.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestClusterMatchesBatch: the month through the ingest role and detect
// members (one, then a second joining halfway and taking partitions over
// from the stored state and offsets) stores the batch run's alert IDs,
// no more, no fewer.
func TestClusterMatchesBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a month and runs Kafka in process")
	}
	w, want := clusterWorld(t)
	kc, err := clustertest.NewKafka(clustertest.Partitions{ActivitySource: 3, FlowLogSource: 1, Internal: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	brokers := kc.ListenAddrs()
	cfg := w.Config()
	cfg.DataDir = t.TempDir()
	ingestAll(t, w, brokers, cfg)

	dc := clustertest.Live(cfg, brokers, config.RoleDetect)
	s, err := OpenStore(dc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	total, err := clustertest.Total(t.Context(), brokers)
	if err != nil {
		t.Fatal(err)
	}
	member := func(ctx context.Context) chan error {
		done := make(chan error, 1)
		go func() { done <- Serve(ctx, dc, ServeOptions{FlushOnStop: true}) }()
		return done
	}
	ctx1, stop1 := context.WithCancel(t.Context())
	defer stop1()
	done1 := member(ctx1)
	var caught bool
	var applied int64
	poll := func(what string, cond func() bool) {
		t.Helper()
		err := clustertest.Poll(t.Context(), 60*time.Second, what, func() (bool, error) {
			var err error
			caught, applied, err = clustertest.DetectCaughtUp(t.Context(), brokers, s, dc.Cluster.Kafka.Group)
			return cond(), err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	poll("first member half way", func() bool { return applied >= total/3 })
	ctx2, stop2 := context.WithCancel(t.Context())
	defer stop2()
	done2 := member(ctx2)
	poll("both members caught up", func() bool { return caught })
	stop1()
	stop2()
	for _, done := range []chan error{done1, done2} {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	got := storedIDs(t, s)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cluster alert IDs differ from one batch (-batch +cluster):\n%s", diff)
	}
	t.Logf("%d internal messages, %d alerts", total, len(got))
}
