package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/gen"
)

// netMonth generates a small labelled network month (VNet flow logs, one
// file per day) and the config that goes with it.
func netMonth(t *testing.T) (files []string, cfg config.Config) {
	t.Helper()
	dir := t.TempDir()
	nc := gen.DefaultNetworkConfig()
	nc.VMs, nc.Days = 20, 6
	if _, err := gen.GenerateNetwork(dir, nc); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) != 6 {
		t.Fatalf("%d flow log files, %v", len(files), err)
	}
	cfg = config.Default()
	cfg.Network.Inventory = filepath.Join(dir, gen.NetInventoryFile)
	cfg.Network.TI.Lists = []string{filepath.Join(dir, gen.NetTIFile)}
	return files, cfg
}

// TestFlowBatchPiecesAndReplayAgree: the same flow logs in one batch or in
// two pieces (two runs, state restored from the store in between) give the
// same alert IDs, and re-reading them adds nothing.
func TestFlowBatchPiecesAndReplayAgree(t *testing.T) {
	files, cfg := netMonth(t)
	cfg.DataDir = t.TempDir()
	batch, sum := detectFiles(t, cfg, files...)
	if sum.FlowsRead < 10000 || len(sum.Formats) != 6 || sum.Network.HoursClosed != 6*24 || sum.Read != 0 {
		t.Fatalf("batch summary %+v", sum)
	}
	if len(batch) < 10 || sum.NewAlerts != len(batch) {
		t.Fatalf("batch: %d alerts, summary %d", len(batch), sum.NewAlerts)
	}
	cfg.DataDir = t.TempDir()
	first, _ := detectFiles(t, cfg, files[:3]...)
	second, _ := detectFiles(t, cfg, files[3:]...)
	if diff := cmp.Diff(ids(batch), ids(append(first, second...))); diff != "" {
		t.Errorf("pieces differ from batch (-batch +pieces):\n%s", diff)
	}
	again, sum := detectFiles(t, cfg, files...)
	if len(again) != 0 || sum.NewAlerts != 0 || sum.Network.Late == 0 || len(sum.LateFlows) != len(files) {
		t.Errorf("replay: %d new alerts, summary %+v, late files %v", len(again), sum.Network, sum.LateFlows)
	}
}

// TestFlowRejectionsCounted: bad tuples are counted in the summary with
// activity rejections and dead-lettered; good tuples of the file are kept.
func TestFlowRejectionsCounted(t *testing.T) {
	files, cfg := netMonth(t)
	cfg.DataDir = t.TempDir()
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), `"flowTuples":["`, `"flowTuples":["not-a-time,10.0.0.1,10.0.0.2,1,2,6,I,B,NX,0,0,0,0","`, 3)
	path := filepath.Join(t.TempDir(), "bad-vnet.json")
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "truncated-nsg.json")
	os.WriteFile(broken, []byte(`{"records":[{"category":"NetworkSecurityGroupFlowEvent","properties":{"flows":[`), 0o600)
	_, sum := detectFiles(t, cfg, path, broken)
	if sum.Rejected["bad_time"] != 3 || sum.Rejected["unreadable"] != 1 || sum.FlowsRead == 0 {
		t.Errorf("rejected %v, flows read %d", sum.Rejected, sum.FlowsRead)
	}
	dl, err := os.ReadFile(filepath.Join(cfg.DataDir, "rejected.jsonl"))
	if err != nil || strings.Count(string(dl), "\n") != 4 || !strings.Contains(string(dl), "bad-vnet.json") {
		t.Errorf("dead letter: %v\n%s", err, dl)
	}
}
