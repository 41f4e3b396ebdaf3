package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vedette/vedette/internal/cluster/clustertest"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/gen"
	"github.com/vedette/vedette/internal/source/kafka"
	"github.com/vedette/vedette/internal/source/kafka/kafkatest"
)

const (
	hubTopic   = "insights-logs"
	partitions = 3
)

// hubMessages turns the generated month's sign-ins and ARM activity into
// Event Hubs-like message values: both files interleaved in event time,
// disordered by up to two minutes, cut into single records, JSON lines and
// {"records": [...]} batches.
func hubMessages(t *testing.T, dir string) [][]byte {
	t.Helper()
	msgs, err := clustertest.ActivityMessages([]string{filepath.Join(dir, "signins.jsonl"), filepath.Join(dir, "activity.jsonl")}, 7)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// produce writes msgs round-robin over the partitions; opts add the
// client's security.
func produce(t *testing.T, brokers []string, msgs [][]byte, first int, opts ...kgo.Opt) {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.RecordPartitioner(kgo.ManualPartitioner())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	recs := make([]*kgo.Record, len(msgs))
	for i, v := range msgs {
		recs[i] = &kgo.Record{Topic: hubTopic, Partition: int32((first + i) % partitions), Value: v}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// serveUntil runs Serve with only the activity source until it has read at
// least atLeast messages and caught up on every partition, then stops it.
func serveUntil(t *testing.T, cfg config.Config, flush bool, atLeast int) ([]string, ActivityCounters) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out bytes.Buffer
	last := make(chan ActivityCounters, 1)
	var final ActivityCounters
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Out: &out, FlushOnStop: flush, ActivityProgress: func(c ActivityCounters) {
			select {
			case <-last:
			default:
			}
			last <- c
		}})
	}()
	deadline := time.After(90 * time.Second)
wait:
	for {
		select {
		case c := <-last:
			if c.Kafka.Messages >= atLeast && c.Kafka.CaughtUp == partitions {
				final = c // unless a later batch (the flush) reports again
				break wait
			}
		case err := <-done:
			t.Fatalf("serve stopped early: %v", err)
		case <-deadline:
			t.Fatal("serve did not consume the topic within 90s")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s")
	}
	select {
	case final = <-last: // the flush's counters
	default:
	}
	var got []string
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var a event.Alert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		got = append(got, a.ID)
	}
	slices.Sort(got)
	return got, final
}

func liveConfig(cfg config.Config, brokers []string, group string) config.Config {
	cfg.DataDir = ""
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = nil, nil
	cfg.Activity = config.DefaultActivity()
	cfg.Activity.Kafka.Brokers = brokers
	cfg.Activity.Kafka.Topics = []string{hubTopic}
	cfg.Activity.Kafka.Group = group
	return cfg
}

// TestLiveKafkaMatchesBatch is the promise for live activity: the same logs
// as Event Hubs messages (batched, disordered within the lateness, over
// partitions) give the alerts of one batch, with the same IDs; a restart
// from the committed offsets gives the same final set; and redelivering
// everything adds nothing.
func TestLiveKafkaMatchesBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a month and runs Kafka in process")
	}
	dir := t.TempDir()
	gc := gen.DefaultConfig()
	gc.Users, gc.Days = 60, 14
	if _, err := gen.Generate(dir, gc); err != nil {
		t.Fatal(err)
	}
	_, cfg := month(t)
	for i := range cfg.Lists {
		cfg.Lists[i].Path = filepath.Join(dir, "lists", filepath.Base(cfg.Lists[i].Path))
	}
	cfg.DataDir = t.TempDir()
	batch, _ := detectFiles(t, cfg, filepath.Join(dir, "signins.jsonl"), filepath.Join(dir, "activity.jsonl"))
	want := ids(batch)
	if len(want) == 0 {
		t.Fatal("the generated fortnight raised no alerts")
	}
	msgs := hubMessages(t, dir)

	t.Run("one run", func(t *testing.T) {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, hubTopic))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		produce(t, c.ListenAddrs(), msgs, 0)
		live := liveConfig(cfg, c.ListenAddrs(), "vedette")
		live.DataDir = t.TempDir()
		got, n := serveUntil(t, live, true, len(msgs))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("live alert IDs differ from one batch (-batch +live):\n%s", diff)
		}
		if n.Reorder.Late != 0 || n.Reorder.Held != 0 || n.Kafka.Rejected != 0 {
			t.Errorf("counters %+v: want no late, held or rejected event", n)
		}
		t.Logf("%d messages, %d events, %d alerts", n.Kafka.Messages, n.Kafka.Events, len(got))

		// Another group reads the whole topic again into the same store.
		live.Activity.Kafka.Group = "replay"
		again, n2 := serveUntil(t, live, true, len(msgs))
		if len(again) != 0 || n2.Pipeline.Processed != 0 || n2.Pipeline.Replayed != n.Kafka.Events {
			t.Errorf("redelivering every message raised %d alerts, processed %d events (replayed %d of %d), want none processed",
				len(again), n2.Pipeline.Processed, n2.Pipeline.Replayed, n.Kafka.Events)
		}
	})

	// The README's Event Hubs settings against a listener secured the
	// same way: TLS (the CA by file), SASL PLAIN as $ConnectionString,
	// the connection string from the environment.
	t.Run("Event Hubs: SASL PLAIN over TLS", func(t *testing.T) {
		hub := kafkatest.EventHubs(t, partitions, []string{hubTopic})
		produce(t, hub.ListenAddrs(), msgs, 0, hub.ClientOpts(t)...)
		live := liveConfig(cfg, hub.ListenAddrs(), "vedette")
		live.DataDir = t.TempDir()
		t.Setenv("VEDETTE_TEST_EVENTHUB", hub.ConnectionString)
		live.Activity.Kafka.SASL = kafka.SASL{Mechanism: "plain", Username: "$ConnectionString", PasswordEnv: "VEDETTE_TEST_EVENTHUB"}
		live.Activity.Kafka.TLS = kafka.TLS{Enabled: true, CAFile: hub.CAFile}
		if err := live.Validate(); err != nil {
			t.Fatal(err)
		}
		got, n := serveUntil(t, live, true, len(msgs))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("alert IDs over SASL/TLS differ from one batch (-batch +live):\n%s", diff)
		}
		t.Logf("%d messages, %d events, %d alerts over SASL PLAIN and TLS", n.Kafka.Messages, n.Kafka.Events, len(got))
	})

	t.Run("poisoned messages first", func(t *testing.T) {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, hubTopic))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// One message per partition ahead of the stream, dated at the
		// FILETIME zero, past UnixNano's range, and tomorrow.
		first := bytes.SplitN(msgs[0], []byte("\n"), 2)[0]
		if bytes.HasPrefix(first, []byte(`{"records":[`)) {
			first = msgs[0]
		}
		var poisoned [][]byte
		for _, at := range []string{"1601-01-01T00:00:00", "2263-01-01T00:00:00", time.Now().Add(24 * time.Hour).UTC().Format("2006-01-02T15:04:05")} {
			poisoned = append(poisoned, isoTime.ReplaceAll(first, []byte(at)))
		}
		produce(t, c.ListenAddrs(), poisoned, 0)
		produce(t, c.ListenAddrs(), msgs, len(poisoned))
		live := liveConfig(cfg, c.ListenAddrs(), "vedette")
		live.DataDir = t.TempDir()
		got, n := serveUntil(t, live, true, len(msgs)+len(poisoned))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("live alert IDs after poisoned messages differ from one batch (-batch +live):\n%s", diff)
		}
		if n.Untrusted == 0 || n.Reorder.Late != 0 {
			t.Errorf("counters %+v: want the poisoned events rejected, none late", n)
		}
	})

	t.Run("restart from committed offsets", func(t *testing.T) {
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, hubTopic))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		half := len(msgs) / 2
		produce(t, c.ListenAddrs(), msgs[:half], 0)
		live := liveConfig(cfg, c.ListenAddrs(), "vedette")
		live.DataDir = t.TempDir()
		first, n1 := serveUntil(t, live, false, half)
		if n1.Reorder.Held == 0 {
			t.Error("stopping without flush held no event: the restart proves nothing")
		}
		produce(t, c.ListenAddrs(), msgs[half:], half)
		second, n2 := serveUntil(t, live, true, len(msgs)-half)
		if n2.Kafka.Messages >= len(msgs) {
			t.Errorf("the restart read %d messages: it did not resume from the committed offsets", n2.Kafka.Messages)
		}
		got := append(first, second...)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("alert IDs over a restart differ from one batch (-batch +live):\n%s", diff)
		}
		t.Logf("first run %d messages (%d events held at stop), restart %d messages, %d replayed", n1.Kafka.Messages, n1.Reorder.Held, n2.Kafka.Messages, n2.Pipeline.Replayed)
	})
}

func TestLiveKafkaDeadLetters(t *testing.T) {
	t.Parallel()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, hubTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msgs := [][]byte{
		[]byte(`{"records":[{"time":"2026-10-01T10:00:00Z","category":"SignInLogs","properties":{"broken`),
		[]byte("hello\nworld\n"),
	}
	produce(t, c.ListenAddrs(), msgs, 0)
	cfg := liveConfig(config.Default(), c.ListenAddrs(), "vedette")
	cfg.DataDir = t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Out: &bytes.Buffer{}, ActivityProgress: func(c ActivityCounters) {
			if c.Kafka.Messages == len(msgs) {
				cancel()
			}
		}})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("serve did not stop")
	}
	dead, err := os.ReadFile(filepath.Join(cfg.DataDir, "rejected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{fmt.Sprintf("kafka:%s/0@0", hubTopic), fmt.Sprintf("kafka:%s/1@0", hubTopic)} {
		if !bytes.Contains(dead, []byte(src)) {
			t.Errorf("rejected.jsonl does not name %s:\n%s", src, dead)
		}
	}
}

// serve with a wrong Event Hubs connection string stops at once with an
// error naming the broker and the mechanism, instead of waiting in
// silence for a login that will never succeed.
func TestServeRefusedLogin(t *testing.T) {
	t.Parallel()
	hub := kafkatest.EventHubs(t, partitions, []string{hubTopic})
	cfg := liveConfig(config.Default(), hub.ListenAddrs(), "vedette")
	cfg.DataDir = t.TempDir()
	wrong := strings.Replace(hub.ConnectionString, "SharedAccessKey=q", "SharedAccessKey=x", 1)
	cfg.Activity.Kafka.SASL = kafka.SASL{Mechanism: "plain", Username: "$ConnectionString", Password: wrong}
	cfg.Activity.Kafka.TLS = kafka.TLS{Enabled: true, CAFile: hub.CAFile}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	start := time.Now()
	err := Serve(ctx, cfg, ServeOptions{Out: &bytes.Buffer{}})
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "broker "+hub.ListenAddrs()[0]+` refused SASL PLAIN login as "$ConnectionString"`) ||
		strings.Contains(err.Error(), "SharedAccessKey=x") || took > 20*time.Second {
		t.Errorf("Serve = %v after %v: want the refusal at once", err, took)
	}
}
