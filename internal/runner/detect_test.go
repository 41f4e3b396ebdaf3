package runner

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/cluster/clustertest"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/gen"
)

// month generates a small labelled month and the config that goes with it.
func month(t *testing.T) (dir string, cfg config.Config) {
	t.Helper()
	dir = t.TempDir()
	gc := gen.DefaultConfig()
	gc.Users, gc.Days = 60, 20
	if _, err := gen.Generate(dir, gc); err != nil {
		t.Fatal(err)
	}
	cfg = config.Default()
	cfg.Lists = clustertest.GeneratedLists(dir)
	return dir, cfg
}

func detectFiles(t *testing.T, cfg config.Config, files ...string) ([]event.Alert, Summary) {
	t.Helper()
	return detectOpts(t, cfg, Options{Flush: true}, files...)
}

// detectOpts runs Detect with opts (whose Out it replaces) and returns
// the alerts and the summary; late input (ErrLate) is reported in the
// summary, not as a failure.
func detectOpts(t *testing.T, cfg config.Config, opts Options, files ...string) ([]event.Alert, Summary) {
	t.Helper()
	var out bytes.Buffer
	opts.Out = &out
	sum, err := Detect(cfg, files, opts)
	if err != nil && !errors.Is(err, ErrInputs) && !(errors.Is(err, ErrLate) && len(sum.LateFlows) > 0) {
		t.Fatal(err)
	}
	var alerts []event.Alert
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var a event.Alert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		alerts = append(alerts, a)
	}
	return alerts, sum
}

func ids(alerts []event.Alert) []string {
	var s []string
	for _, a := range alerts {
		s = append(s, a.ID)
	}
	slices.Sort(s)
	return s
}

// splitByTime writes the lines of src whose "time" is before cut to a, the
// rest to b: the same logs delivered in two pieces.
func splitByTime(t *testing.T, src, a, b string, cut time.Time) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var first, second bytes.Buffer
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rec struct {
			Time time.Time `json:"time"`
		}
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Time.Before(cut) {
			first.Write(line)
		} else {
			second.Write(line)
		}
	}
	if err := os.WriteFile(a, first.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, second.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestBatchPiecesAndReplayAgree(t *testing.T) {
	dir, cfg := month(t)
	inputs := []string{filepath.Join(dir, "signins.jsonl"), filepath.Join(dir, "activity.jsonl")}

	cfg.DataDir = t.TempDir()
	batch, sum := detectFiles(t, cfg, inputs...)
	if len(batch) == 0 {
		t.Fatal("the generated month raised no alerts")
	}
	if sum.Read == 0 || sum.Pipeline.Processed != sum.Read-sum.Pipeline.Replayed {
		t.Errorf("summary does not add up: %+v", sum)
	}

	// Re-reading the same input into the same store: nothing new.
	again, sum2 := detectFiles(t, cfg, inputs...)
	if len(again) != 0 || sum2.Pipeline.Processed != 0 {
		t.Errorf("re-reading raised %d alerts and processed %d events, want 0 and 0", len(again), sum2.Pipeline.Processed)
	}

	// The same logs in two pieces, in order, into a fresh store.
	cut := gen.DefaultConfig().Start.Add(12 * 24 * time.Hour)
	pieces := t.TempDir()
	var first, second []string
	for _, in := range inputs {
		base := strings.TrimSuffix(filepath.Base(in), ".jsonl")
		a, b := filepath.Join(pieces, base+"-1.jsonl"), filepath.Join(pieces, base+"-2.jsonl")
		splitByTime(t, in, a, b, cut)
		first, second = append(first, a), append(second, b)
	}
	cfg.DataDir = t.TempDir()
	p1, _ := detectFiles(t, cfg, first...)
	p2, _ := detectFiles(t, cfg, second...)
	if diff := cmp.Diff(ids(batch), ids(append(p1, p2...))); diff != "" {
		t.Errorf("alert IDs in pieces differ from one batch (-batch +pieces):\n%s", diff)
	}
}

func TestBadInputIsCountedAndGoodInputKept(t *testing.T) {
	dir, cfg := month(t)
	cfg.DataDir = t.TempDir()
	good := filepath.Join(dir, "signins.jsonl")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	var mixed bytes.Buffer
	for i, l := range lines {
		mixed.Write(l)
		if i%1000 == 500 {
			mixed.WriteString("{\"time\": \"2026-10-03T10:00:00Z\", \"category\": \"SignInLogs\", \"properties\": {\"broken\n")
		}
	}
	bad := filepath.Join(t.TempDir(), "mixed.jsonl")
	if err := os.WriteFile(bad, mixed.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	unknown := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(unknown, []byte("hello\nworld\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want, wantSum := detectFiles(t, cfg, good)
	cfg.DataDir = t.TempDir()
	got, gotSum := detectFiles(t, cfg, bad, unknown)
	if gotSum.Read != wantSum.Read {
		t.Errorf("read %d events with bad lines mixed in, want the same %d good ones", gotSum.Read, wantSum.Read)
	}
	rejected := 0
	for _, n := range gotSum.Rejected {
		rejected += n
	}
	if wantRej := len(lines)/1000 + 2; rejected < wantRej-1 {
		t.Errorf("rejected %d records (%v), want about %d", rejected, gotSum.Rejected, wantRej)
	}
	if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
		t.Errorf("bad lines changed the alerts (-clean +mixed):\n%s", diff)
	}
	dead, err := os.ReadFile(filepath.Join(cfg.DataDir, "rejected.jsonl"))
	if err != nil || !bytes.Contains(dead, []byte("mixed.jsonl")) {
		t.Errorf("rejections not set aside in rejected.jsonl: %v", err)
	}
}
