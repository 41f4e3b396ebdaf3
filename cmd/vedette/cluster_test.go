package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/cluster/clustertest"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/runner"
	"github.com/vedette/vedette/internal/store"
)

// detectYAML is a detect role's configuration: the generated world's
// lists, inventory and TI feed, the internal topics on brokers, state and
// alerts in the PostgreSQL named by $VEDETTE_CLUSTER_PG.
const detectYAML = `roles: [detect]
lists:
  - {path: %[1]s/tenant0/lists/tor-exit.txt, category: tor-exit, name: tor}
  - {path: %[1]s/tenant0/lists/anonymous-proxy.txt, category: anonymous-proxy, name: proxies}
  - {path: %[1]s/tenant0/lists/vpn.csv, category: vpn, name: vpn}
  - {path: %[1]s/tenant0/lists/corporate.txt, category: corporate, name: corp}
network:
  inventory: %[1]s/network/inventory.csv
  ti: {lists: [%[1]s/network/ti-blocklist.txt]}
  collector: {ipfix: [], netflow: []}
cluster:
  kafka: {brokers: [%[2]s], group: vedette-detect}
  activity_topic: vedette.activity
  flow_topic: vedette.flows
  session_timeout: 6s
  commit_interval: 100ms
store:
  postgres: {dsn_env: VEDETTE_CLUSTER_PG}
`

// member is one `vedette serve` detect process.
type member struct {
	name string
	cmd  *exec.Cmd
	log  syncBuffer
}

// syncBuffer is a bytes.Buffer the process's stderr copier writes while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startMember(t *testing.T, name, cfgPath, dsn string) *member {
	t.Helper()
	m := &member{name: name}
	m.cmd = vedetteCmd("serve", "-config", cfgPath, "-data", t.TempDir(), "-flush-on-exit", "-log-level", "info")
	m.cmd.Env = append(m.cmd.Env, "VEDETTE_CLUSTER_PG="+dsn)
	m.cmd.Stdout, m.cmd.Stderr = io.Discard, &m.log
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if m.cmd.ProcessState == nil {
			m.cmd.Process.Kill()
			m.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("%s log:\n%s", m.name, m.log.String())
		}
	})
	return m
}

// assignedAt matches a detect member's log line for a partition it took:
// the partition and the stored offset it read on from.
var assignedAt = regexp.MustCompile(`msg="partition (assigned|revoked|lost)".* partition=(\S+)(?: offset=(-?\d+))?`)

// owned returns the partitions m owns, by its log.
func (m *member) owned() map[string]bool {
	own := map[string]bool{}
	for _, g := range assignedAt.FindAllStringSubmatch(m.log.String(), -1) {
		if g[1] == "assigned" {
			own[g[2]] = true
		} else {
			delete(own, g[2])
		}
	}
	return own
}

// takenOver returns the partitions of from that m was assigned with a
// stored offset past their start: it read on from committed state.
func (m *member) takenOver(from []string) []string {
	var out []string
	for _, g := range assignedAt.FindAllStringSubmatch(m.log.String(), -1) {
		if g[1] == "assigned" && slices.Contains(from, g[2]) && g[3] != "-1" {
			out = append(out, g[2]+"@"+g[3])
		}
	}
	return out
}

// victim returns the member among ms owning the most partitions that it
// has committed part way (stored offset past the start, before the end),
// an activity partition among them, and those partitions; nil while none
// has.
func victim(ctx context.Context, brokers []string, s *store.Store, ms []*member) (*member, []string) {
	end, err := clustertest.EndOffsets(ctx, brokers, clustertest.ActivityTopic, clustertest.FlowTopic)
	if err != nil {
		return nil, nil
	}
	stored, err := s.PartitionOffsets(ctx, "vedette-detect")
	if err != nil {
		return nil, nil
	}
	var best *member
	var bestParts []string
	for _, m := range ms {
		var parts []string
		for p := range m.owned() {
			if off := stored[p]; off > 0 && off < end[p] {
				parts = append(parts, p)
			}
		}
		hasActivity := slices.ContainsFunc(parts, func(p string) bool { return strings.HasPrefix(p, clustertest.ActivityTopic+"/") })
		if hasActivity && len(parts) > len(bestParts) {
			best, bestParts = m, parts
		}
	}
	slices.Sort(bestParts)
	return best, bestParts
}

// TestClusterSurvivesKillAndPostgresRestart: a month of three tenants'
// activity and a network's flow logs on the source topics, through the
// ingest role, to three detect processes sharing a PostgreSQL store
// that commit every 100 ms; a member that has committed part of an
// activity partition is killed with SIGKILL, then PostgreSQL is restarted while the
// others take its partitions over, and a fourth process joins. The alerts
// stored are exactly the batch run's: same IDs, none missing, none
// inserted twice.
func TestClusterSurvivesKillAndPostgresRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Kafka, PostgreSQL and four vedette processes")
	}
	pg, err := clustertest.StartPostgres()
	if errors.Is(err, clustertest.ErrNoPostgres) {
		if os.Getenv("CI") == "true" {
			t.Fatal("postgresql is not installed in CI: .ci/run must install it")
		}
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Remove()
	dir := t.TempDir()
	w, err := clustertest.Generate(dir, clustertest.Size{Tenants: 4, Users: 25, Days: 12, VMs: 20, NetDays: 4, Spread: 4})
	if err != nil {
		t.Fatal(err)
	}
	want := batchIDs(t, w)

	kc, err := clustertest.NewKafka(clustertest.Partitions{ActivitySource: 3, FlowLogSource: 1, Internal: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	brokers := kc.ListenAddrs()
	var total int64

	cfgPath := filepath.Join(dir, "detect.yaml")
	os.WriteFile(cfgPath, fmt.Appendf(nil, detectYAML, dir, strings.Join(brokers, ", ")), 0o600)
	s, err := store.OpenWith(t.Context(), "", store.Options{PostgresDSN: pg.DSN()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var caught bool
	var applied int64
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		err := clustertest.Poll(t.Context(), 60*time.Second, what, func() (bool, error) {
			var err error
			caught, applied, err = clustertest.DetectCaughtUp(t.Context(), brokers, s, "vedette-detect")
			if err != nil {
				return false, nil // PostgreSQL restarting
			}
			return cond(), nil
		})
		if err != nil {
			t.Fatalf("%v (%d of %d messages applied)", err, applied, total)
		}
	}
	members := []*member{startMember(t, "a", cfgPath, pg.DSN()), startMember(t, "b", cfgPath, pg.DSN()), startMember(t, "c", cfgPath, pg.DSN())}
	// Kill a member that has committed some of its partitions but not all
	// of their messages: the others must take them over from the store.
	// The kill comes first: members keep consuming while PostgreSQL
	// restarts and may commit everything at once when it is back, leaving
	// no member midway.
	// The kill waits for the group to settle (every member owning
	// partitions): a member killed between the two phases of a cooperative
	// rebalance holds the group for its rebalance timeout (a minute, as in
	// Kafka), which is the broker's waiting, not the takeover tested here.
	// The group settles before anything is ingested: with the messages
	// already there, the members could apply every one of them before the
	// group settled, leaving no member midway to kill.
	waitFor("a settled group", func() bool {
		for _, m := range members {
			if len(m.owned()) == 0 {
				return false
			}
		}
		return true
	})
	ingested := make(chan error, 1)
	go func() { ingested <- ingestMessages(t.Context(), w, brokers) }()
	var v *member
	var lost []string
	waitFor("a member midway through its partitions", func() bool {
		v, lost = victim(t.Context(), brokers, s, members)
		return v != nil
	})
	if err := v.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	v.cmd.Wait()
	if err := <-ingested; err != nil {
		t.Fatal(err)
	}
	var err2 error
	if total, err2 = clustertest.Total(t.Context(), brokers); err2 != nil {
		t.Fatal(err2)
	}
	t.Logf("killed %s midway through %v, at %d of %d messages", v.name, lost, applied, total)
	// Restart PostgreSQL while the others take the killed member's
	// partitions over.
	if err := pg.Restart(); err != nil {
		t.Fatal(err)
	}
	t.Logf("restarted PostgreSQL at %d of %d messages", applied, total)
	members = append(members, startMember(t, "d", cfgPath, pg.DSN()))
	waitFor("every partition applied", func() bool { return caught })
	var alive []*member
	var taken []string
	for _, m := range members {
		if m != v {
			alive = append(alive, m)
			m.cmd.Process.Signal(syscall.SIGTERM)
			taken = append(taken, m.takenOver(lost)...)
		}
	}
	for _, m := range alive {
		if err := m.cmd.Wait(); err != nil {
			t.Errorf("%s: %v", m.name, err)
		}
	}
	if len(taken) == 0 {
		t.Errorf("no member took a partition of the killed one over from a stored offset")
	}
	t.Logf("taken over from stored state: %v", taken)
	got := storedIDs(t, s)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alert IDs in PostgreSQL differ from one batch (-batch +cluster):\n%s", diff)
	}
	created, err := s.OutboxAfter(t.Context(), 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != len(got) {
		t.Errorf("the outbox holds %d changes for %d alerts: an alert was inserted twice", len(created), len(got))
	}
	t.Logf("%d internal messages, %d alerts", total, len(got))
}

// batchIDs runs `detect` over the world in one batch and returns the
// alert IDs, sorted.
func batchIDs(t *testing.T, w clustertest.World) []string {
	t.Helper()
	cfg := w.Config()
	cfg.DataDir = t.TempDir()
	files := append(slices.Clone(w.Activity), w.Flows...)
	if _, err := runner.Detect(cfg, files, runner.Options{Flush: true, Out: io.Discard}); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids := storedIDs(t, s)
	if len(ids) < 20 {
		t.Fatalf("the generated month raised %d alerts: too few to compare", len(ids))
	}
	return ids
}

func storedIDs(t *testing.T, s *store.Store) []string {
	t.Helper()
	var ids []string
	if err := s.EachAlert(t.Context(), func(a store.StoredAlert) error { ids = append(ids, a.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	return ids
}

// ingest produces the world to the source topics and runs the ingest
// role in process until all of it is on the internal topics.
func ingest(t *testing.T, w clustertest.World, brokers []string) {
	t.Helper()
	if err := ingestMessages(t.Context(), w, brokers); err != nil {
		t.Fatal(err)
	}
}

// ingestMessages puts w's activity and flow logs on the source topics and
// runs an ingest role until it has moved them all to the internal ones;
// it may run beside the test's goroutine.
func ingestMessages(ctx context.Context, w clustertest.World, brokers []string) error {
	act, err := clustertest.ActivityMessages(w.Activity, 7)
	if err != nil {
		return err
	}
	flows, err := clustertest.FlowLogMessages(w.Flows)
	if err != nil {
		return err
	}
	if err := clustertest.Produce(ctx, brokers, clustertest.ActivitySource, 3, act); err != nil {
		return err
	}
	if err := clustertest.Produce(ctx, brokers, clustertest.FlowLogSource, 1, flows); err != nil {
		return err
	}
	data, err := os.MkdirTemp("", "vedette-ingest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	cfg := w.Config()
	cfg.DataDir = data
	ic := clustertest.Live(cfg, brokers, config.RoleIngest)
	return clustertest.Ingest(ctx, brokers, len(act), 3, func(ctx context.Context, progress func(int, int)) error {
		return runner.Serve(ctx, ic, runner.ServeOptions{FlushOnStop: true, ActivityProgress: func(c runner.ActivityCounters) {
			progress(c.Kafka.Messages, c.Kafka.CaughtUp)
		}})
	})
}
