package runner

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/metrics/metricstest"
	"github.com/vedette/vedette/internal/store"
)

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitMetric scrapes base/metrics until the sample reaches want.
func waitMetric(t *testing.T, base string, want float64, name string, labels ...string) {
	t.Helper()
	var got float64
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		f, err := metricstest.Scrape(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ = f.Value(name, labels...); got == want {
			return
		}
	}
	t.Fatalf("%s%v = %v, want %v", name, labels, got, want)
}

// unknownTemplate is an IPFIX message whose one data set names template
// 300, never announced: a decode error.
func unknownTemplate() []byte {
	be := binary.BigEndian
	msg := be.AppendUint16(nil, 10)
	msg = be.AppendUint16(msg, 16+8)
	msg = be.AppendUint32(msg, uint32(time.Now().Unix()))
	msg = be.AppendUint32(msg, 9)
	msg = be.AppendUint32(msg, 1)
	msg = be.AppendUint16(msg, 300)
	msg = be.AppendUint16(msg, 8)
	return append(msg, 1, 2, 3, 4)
}

// TestServeOps runs serve with its ops listener and checks, over real
// HTTP and UDP: readiness waits for the collector; a decode error moves
// its counter in a /metrics scrape; a reload (what SIGHUP sends) picks up
// an inventory file change, so flows to a newly listed IP count as
// monitored; the effective configuration, the status line and the stop
// summary are logged.
func TestServeOps(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.csv")
	writeInv := func(s string) {
		if err := os.WriteFile(inv, []byte("ip,host\n"+s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeInv("10.0.0.5,web-01\n")
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = []string{"127.0.0.1:0"}, nil
	cfg.Network.Inventory = inv
	cfg.Ops.Listen, cfg.Ops.StatusInterval = "127.0.0.1:0", 20*time.Millisecond
	var logs syncBuffer
	var badFile atomic.Bool
	reload := make(chan struct{})
	ready := make(chan netip.AddrPort, 1)
	var base string
	var before int
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{
			Out: &bytes.Buffer{}, Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
			Ready: func(a []netip.AddrPort) { ready <- a[0] },
			OpsListening: func(a net.Addr) {
				base = "http://" + a.String()
				before = status(t, base+"/readyz") // the collector is not bound yet
			},
			Reload: reload, LoadConfig: func() (config.Config, error) {
				if badFile.Swap(false) {
					return config.Config{}, errors.New("config: vedette.yaml: line 3: unknown key")
				}
				return cfg, nil
			},
		})
	}()
	addr := <-ready
	if before != http.StatusServiceUnavailable || status(t, base+"/readyz") != http.StatusOK || status(t, base+"/healthz") != http.StatusOK {
		t.Fatalf("readyz before the collector %d, after %d", before, status(t, base+"/readyz"))
	}
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	send := func(m []byte) {
		if _, err := conn.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	hour := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	send(unknownTemplate())
	waitMetric(t, base, 1, "vedette_flow_drops_total", "reason", "unknown_template")
	if runtime.GOOS == "linux" {
		if f, err := metricstest.Scrape(base + "/metrics"); err != nil {
			t.Fatal(err)
		} else if b, _ := f.Value("vedette_flow_receive_buffer_bytes", "listen", addr.String()); b < 2*212992 {
			t.Errorf("receive buffer of %s is %v bytes: the 16 MiB default was not asked", addr, b)
		}
	}
	send(ipfixMessage(1, attempts("203.0.113.7", "10.0.0.6", hour, 3)))
	waitMetric(t, base, 3, "vedette_netdetect_flows_unmonitored_total")

	writeInv("10.0.0.5,web-01\n10.0.0.6,web-02\n")
	badFile.Store(true) // a broken file changes nothing
	reload <- struct{}{}
	waitMetric(t, base, 1, "vedette_reloads_total", "what", "config", "result", "error")
	reload <- struct{}{}
	waitMetric(t, base, 1, "vedette_reloads_total", "what", "inventory", "result", "ok")
	send(ipfixMessage(2, attempts("203.0.113.7", "10.0.0.6", hour.Add(time.Minute), 2)))
	waitMetric(t, base, 5, "vedette_netdetect_flows_total")
	waitMetric(t, base, 3, "vedette_netdetect_flows_unmonitored_total") // the new IP is monitored
	waitMetric(t, base, 1, "vedette_netdetect_open_hours")
	waitMetric(t, base, 5, "vedette_events_read_total", "source", "flow")
	// The status line comes every 20 ms; a loaded machine may need longer
	// to log one after the fifth flow.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "flows_decoded=5") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{"msg=\"serve configuration\"", "msg=\"reload: configuration rejected, keeping the running one\"", "msg=\"serve status\"", "flows_decoded=5", "msg=\"reload: inventory loaded\"", "msg=\"serve stopped\""} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}

// TestServeOpsKafka: rejected Kafka records are counted by reason in a
// /metrics scrape, and /readyz turns ready once every partition is
// caught up.
func TestServeOpsKafka(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, hubTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msgs := [][]byte{
		[]byte(`{"records":[{"time":"2026-10-01T10:00:00Z","category":"SignInLogs","properties":{"broken`),
		[]byte("hello\nworld\n"),
		[]byte("not json either"),
	}
	produce(t, c.ListenAddrs(), msgs, 0)
	cfg := liveConfig(config.Default(), c.ListenAddrs(), "vedette")
	cfg.DataDir = t.TempDir()
	cfg.Ops.Listen = "127.0.0.1:0"
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	listening := make(chan string, 1)
	var before int
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Out: &bytes.Buffer{}, OpsListening: func(a net.Addr) {
			before = status(t, "http://"+a.String()+"/readyz") // nothing consumed yet
			listening <- "http://" + a.String()
		}})
	}()
	base := <-listening
	if before != http.StatusServiceUnavailable {
		t.Errorf("readyz %d before consuming", before)
	}
	waitMetric(t, base, 3, "vedette_kafka_messages_total")
	f, err := metricstest.Scrape(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var rejected float64
	reasons := map[string]float64{}
	for _, m := range f["vedette_events_rejected_total"].GetMetric() {
		var src, reason string
		for _, l := range m.GetLabel() {
			switch l.GetName() {
			case "source":
				src = l.GetValue()
			case "reason":
				reason = l.GetValue()
			}
		}
		if src != "kafka" {
			t.Errorf("rejection of source %q", src)
		}
		reasons[reason] = m.GetCounter().GetValue()
		rejected += m.GetCounter().GetValue()
	}
	dead, err := os.ReadFile(filepath.Join(cfg.DataDir, "rejected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(dead, []byte("\n")); rejected != float64(lines) || len(reasons) < 2 {
		t.Errorf("rejected by reason %v, %d dead letters", reasons, lines)
	}
	t.Logf("rejected by reason: %v", reasons)
	// Delivery reports per output: here stdout, nothing to deliver.
	for _, name := range []string{"vedette_deliver_delivered_total", "vedette_deliver_dead_lettered_total", "vedette_deliver_lag_seconds"} {
		if v, ok := f.Value(name, "output", "stdout"); !ok || v != 0 {
			t.Errorf("%s{output=stdout} = %v (present %v), want 0", name, v, ok)
		}
	}
	waitMetric(t, base, partitions, "vedette_kafka_caught_up_partitions")
	if code := status(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz %d once caught up", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRestartNeeded(t *testing.T) {
	a := config.Default()
	b := a
	b.Lists = []config.List{{Path: "offices.txt", Category: "corporate", Name: "offices"}}
	b.Network.Inventory, b.Ops.StatusInterval = "inventory.csv", time.Minute
	if got := restartNeeded(a, b); len(got) != 0 {
		t.Fatalf("live settings reported as needing a restart: %v", got)
	}
	b.Detections.ImpossibleTravel.Enabled = false
	b.Overrides = []config.Override{{Tenant: "t"}}
	if got := restartNeeded(a, b); len(got) != 0 {
		t.Fatalf("detections reported as needing a restart: %v", got)
	}
	b.DataDir = "/elsewhere"
	b.Network.Collector.IPFIX = []string{":4740"}
	b.Ops.Listen = "127.0.0.1:9999"
	if got, want := strings.Join(restartNeeded(a, b), ","), "data_dir,network,ops"; got != want {
		t.Fatalf("restart needed for %s, want %s", got, want)
	}
}

// TestReloadDetections: a reloaded file switching a detection off for one
// tenant is in force for the activity pipelines at once, and a run-time
// setting stored through the API still layers over it.
func TestReloadDetections(t *testing.T) {
	const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	env, err := Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	o := newOps(env, ServeOptions{})
	has := func(tenant, sub, id string) bool {
		for _, d := range env.Scopes().Detectors(tenant, sub) {
			if d.Meta().ID == id {
				return true
			}
		}
		return false
	}
	next, err := config.Parse(strings.NewReader("overrides:\n  - tenant: " + tenant +
		"\n    detections: {impossible_travel: {enabled: false}, anonymous_ip: {enabled: false}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	next.DataDir = cfg.DataDir
	on := true
	if err := env.Store.PutSetting(t.Context(), store.SettingOverride{Tenant: tenant, Subscription: "*", Detection: "anonymous-ip", Enabled: &on, UpdatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	gen := env.Scopes().Generation()
	o.reload(next)
	if has(tenant, "", "impossible-travel") || !has("other", "", "impossible-travel") || env.Scopes().Generation() == gen {
		t.Fatal("reloaded override not in force for its tenant only")
	}
	if !has(tenant, "", "anonymous-ip") {
		t.Fatal("the run-time setting no longer layers over the reloaded file")
	}
}

// A hostile producer flooding a topic with garbage is counted in full but
// writes at most rejectsPerMinute lines per reason to rejected.jsonl, as
// forged UDP packets do.
func TestKafkaRejectionsBounded(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, hubTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const flood = 3 * rejectsPerMinute
	msgs := make([][]byte, flood)
	for i := range msgs {
		msgs[i] = []byte("not json " + strconv.Itoa(i))
	}
	produce(t, c.ListenAddrs(), msgs, 0)
	cfg := liveConfig(config.Default(), c.ListenAddrs(), "vedette")
	cfg.DataDir = t.TempDir()
	cfg.Ops.Listen = "127.0.0.1:0"
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	listening := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Out: &bytes.Buffer{}, OpsListening: func(a net.Addr) { listening <- "http://" + a.String() }})
	}()
	base := <-listening
	waitMetric(t, base, flood, "vedette_kafka_messages_total")
	waitMetric(t, base, flood, "vedette_events_rejected_total", "source", "kafka", "reason", "unknown-format")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	dead, err := os.ReadFile(filepath.Join(cfg.DataDir, "rejected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(dead, []byte("\n")); lines != rejectsPerMinute {
		t.Errorf("%d rejections written for %d garbage messages, want the budget of %d", lines, flood, rejectsPerMinute)
	}
}
