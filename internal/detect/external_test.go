package detect_test

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/pipeline"
)

type eventSink struct {
	events  []*event.Event
	rejects []normalize.Rejection
}

func (s *eventSink) Event(e *event.Event)         { s.events = append(s.events, e) }
func (s *eventSink) Reject(r normalize.Rejection) { s.rejects = append(s.rejects, r) }

// microBurstOps are the operations the issue lists for MicroBurst.
var microBurstOps = []string{
	"microsoft.storage/storageaccounts/listkeys/action", "microsoft.web/sites/publishxml/action",
	"microsoft.web/sites/config/list/action", "microsoft.containerregistry/registries/listcredentials/action",
	"microsoft.documentdb/databaseaccounts/listkeys/action", "microsoft.containerservice/managedclusters/listclusteradmincredential/action",
	"microsoft.web/sites/host/listkeys/action", "microsoft.keyvault/vaults/accesspolicies/write",
	"microsoft.compute/virtualmachines/runcommand/action", "microsoft.authorization/elevateaccess/action",
}

// TestManagementOnTrainingLab replays the Sentinel training lab's Activity
// Log samples (see shared/testdata-external/EXPECTED.md) through the real
// parser and pipeline: azure_activity.csv, a day of 12 callers' ordinary
// work, then Adele's destructive session (deletes of web apps, VMs, key
// vaults, resource groups and Logic Apps, an analytics rule changed). None
// of it is credential extraction or persistence, and nobody returns from a
// long silence or starts using PowerShell: the management detections stay
// quiet. What the session is (mass deletion) is another detection's job.
func TestManagementOnTrainingLab(t *testing.T) {
	t.Parallel()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata-external", "azure-sentinel-training-lab")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("external test data absent: %v", err)
	}
	sink := &eventSink{}
	for _, name := range []string{"azure_activity.csv", "azureActivity_adele.csv"} {
		if _, err := normalize.ReadFile(filepath.Join(dir, name), sink); err != nil {
			t.Fatal(err)
		}
	}
	if len(sink.rejects) != 0 || len(sink.events) != 325+23 {
		t.Fatalf("%d events, rejections %v", len(sink.events), sink.rejects)
	}
	slices.SortStableFunc(sink.events, func(a, b *event.Event) int { return a.Time.Compare(b.Time) })
	cfg := config.Default()
	p := pipeline.New(pipeline.Options{TrustRecordLocation: true}, baseline.New(cfg.Baseline), pipeline.Deps{Scoper: cfg.Scopes()})
	management := map[string]bool{}
	for _, d := range cfg.Scopes().Detectors("", "") {
		// Mass deletion is what the session is: not one of the quiet ones.
		if in := d.Meta().Inputs; slices.Contains(in, event.KindManagement) && !slices.Contains(in, event.KindSignIn) && d.Meta().ID != "mass-resource-deletion" {
			management[d.Meta().ID] = true
		}
	}
	if len(management) != 5 {
		t.Fatalf("management detections %v", management)
	}
	ops := map[string]int{}
	for _, e := range sink.events {
		if e.Result != event.ResultUnknown {
			ops[e.Operation]++
		}
		for _, a := range p.Process(e) {
			if management[a.Detection] {
				t.Errorf("%s on %s %s at %s: %s", a.Detection, a.Principal, e.Operation, a.Time, a.Description)
			}
		}
	}
	var deletes int
	for op, n := range ops {
		if filepath.Base(op) == "delete" {
			deletes += n
		}
	}
	// The facts the quiet result rests on: the session is deletion; the
	// only persistence action of either file is Logic App writes, by
	// callers active throughout the day and not through Azure PowerShell;
	// and the only credential action is storage account keys (one kind,
	// as a deployment or an administrator lists them).
	if deletes == 0 {
		t.Error("no delete outcomes: Adele's session was not read")
	}
	var persistent []string
	for op := range ops {
		if _, ok := detect.Persistence(op); ok {
			persistent = append(persistent, op)
		}
		if slices.Contains(microBurstOps, op) && op != "microsoft.storage/storageaccounts/listkeys/action" {
			t.Errorf("MicroBurst operation %s besides storage keys", op)
		}
	}
	if want := []string{"microsoft.logic/workflows/write"}; !slices.Equal(persistent, want) {
		t.Errorf("persistence actions %v, want %v", persistent, want)
	}
	for _, e := range sink.events {
		if e.AppID == baseline.AzurePowerShellAppID {
			t.Errorf("%s used Azure PowerShell at %s", e.Principal, e.Time)
		}
	}
}

// TestSimuLandDirectory replays the SimuLand lab's Entra audit rows
// (otrf-security-datasets/AADAuditEvents.json) alone: pgustavo, through
// Windows PowerShell, updates SimuLandApp, grants it Mail.ReadWrite for all
// users and adds a client secret. persistence-technique raises the secret
// (a script changed an app's credentials). powershell-persistence, with its
// 14-day learning period, cannot judge a principal first seen two minutes
// earlier and stays quiet; with no learning period it raises both
// persistence actions (the grant and the secret). The file repeats the
// secret's row: the pipeline processes it once.
func TestSimuLandDirectory(t *testing.T) {
	t.Parallel()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata-external", "otrf-security-datasets", "AADAuditEvents.json")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("external test data absent: %v", err)
	}
	sink := &eventSink{}
	if _, err := normalize.ReadFile(path, sink); err != nil || len(sink.rejects) != 0 || len(sink.events) != 4 {
		t.Fatalf("err %v, %d events, rejections %v", err, len(sink.events), sink.rejects)
	}
	slices.SortStableFunc(sink.events, func(a, b *event.Event) int { return a.Time.Compare(b.Time) })
	tests := []struct {
		name, yaml string
		want       []string // detection: operation
	}{
		{"defaults", "", []string{
			"persistence-technique: Update application – Certificates and secrets management"}},
		// One PowerShell session: the grant opens it and alerts, the secret
		// two minutes later belongs to the same session.
		{"no learning period", "detections:\n  powershell_persistence:\n    learning: 0s\n", []string{
			"powershell-persistence: Add delegated permission grant",
			"persistence-technique: Update application – Certificates and secrets management"}},
	}
	for _, tt := range tests {
		cfg, err := config.Parse(strings.NewReader(tt.yaml))
		if err != nil {
			t.Fatal(err)
		}
		p := pipeline.New(pipeline.Options{}, baseline.New(cfg.Baseline), pipeline.Deps{Scoper: cfg.Scopes()})
		var got []string
		for _, e := range sink.events {
			for _, a := range p.Process(e) {
				got = append(got, a.Detection+": "+e.Operation)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: alerts %q, want %q", tt.name, got, tt.want)
		}
	}
}
