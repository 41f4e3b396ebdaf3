package runner

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestFlowDaySplitMidHourContinues: a day of flow logs split in the middle
// of an hour with an attack, read in two runs without -flush, gives the
// alerts of the whole day read at once: the first run leaves the hour
// open and the second continues it. Reading the first piece again
// afterwards is reported as late, by file, with ErrLate.
func TestFlowDaySplitMidHourContinues(t *testing.T) {
	files, cfg := netMonth(t)
	cfg.DataDir = t.TempDir()
	batch, _ := detectFiles(t, cfg, files...)
	// The first network alert after the first day: split its day at the
	// half hour of its hour.
	var cut time.Time
	for _, a := range batch {
		if a.Time.After(mustTime(t, files[0])) && (cut.IsZero() || a.Time.Before(cut)) {
			cut = a.Time
		}
	}
	if cut.IsZero() {
		t.Fatal("no network alert after the first day")
	}
	cut = cut.Truncate(time.Hour).Add(30 * time.Minute)
	day := -1
	for i, f := range files {
		if strings.Contains(f, cut.Format("2006-01-02")) {
			day = i
		}
	}
	if day < 0 {
		t.Fatalf("no file for %s in %v", cut, files)
	}
	before, after := splitFlowFile(t, files[day], cut)

	cfg.DataDir = t.TempDir()
	first, sum1 := detectOpts(t, cfg, Options{}, append(append([]string{}, files[:day]...), before)...)
	if sum1.OpenHours == 0 {
		t.Fatalf("first piece left no hour open: %+v", sum1)
	}
	second, sum2 := detectOpts(t, cfg, Options{Flush: true}, append([]string{after}, files[day+1:]...)...)
	if sum2.Network.Late != 0 || len(sum2.LateFlows) != 0 {
		t.Fatalf("second piece: %d late flows %v", sum2.Network.Late, sum2.LateFlows)
	}
	if diff := cmp.Diff(ids(batch), ids(append(first, second...))); diff != "" {
		t.Errorf("pieces split at %s differ from the batch (-batch +pieces):\n%s", cut.Format(time.RFC3339), diff)
	}

	var out strings.Builder
	sum, err := Detect(cfg, []string{before}, Options{Out: &out})
	if !errors.Is(err, ErrLate) || sum.LateFlows[filepath.Base(before)] == 0 || out.Len() != 0 {
		t.Fatalf("re-reading the first piece: err %v, late %v, alerts %q", err, sum.LateFlows, out.String())
	}
}

// mustTime is the end of the day a generated flow file (…YYYY-MM-DD.json) covers.
func mustTime(t *testing.T, file string) time.Time {
	t.Helper()
	base := strings.TrimSuffix(filepath.Base(file), ".json")
	d, err := time.Parse("2006-01-02", base[len(base)-10:])
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(0, 0, 1)
}

// splitFlowFile writes the tuples of a VNet flow log file before cut and
// from cut on into two files, keeping each record's envelope.
func splitFlowFile(t *testing.T, path string, cut time.Time) (before, after string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Records []map[string]any `json:"records"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	halves := [2][]map[string]any{}
	for _, rec := range doc.Records {
		for half := range 2 {
			if r := keepTuples(t, rec, cut, half == 0); r != nil {
				halves[half] = append(halves[half], r)
			}
		}
	}
	dir := t.TempDir()
	var names [2]string
	for half, recs := range halves {
		names[half] = filepath.Join(dir, strconv.Itoa(half)+"-"+filepath.Base(path))
		b, _ := json.Marshal(map[string]any{"records": recs})
		if err := os.WriteFile(names[half], b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return names[0], names[1]
}

// keepTuples copies rec with the tuples before cut (or from cut on), nil
// when none is left.
func keepTuples(t *testing.T, rec map[string]any, cut time.Time, early bool) map[string]any {
	t.Helper()
	var b []byte
	b, _ = json.Marshal(rec)
	var cp map[string]any
	json.Unmarshal(b, &cp)
	n := 0
	for _, acl := range cp["flowRecords"].(map[string]any)["flows"].([]any) {
		for _, g := range acl.(map[string]any)["flowGroups"].([]any) {
			grp := g.(map[string]any)
			var kept []any
			for _, tu := range grp["flowTuples"].([]any) {
				ms, err := strconv.ParseInt(strings.SplitN(tu.(string), ",", 2)[0], 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				if time.UnixMilli(ms).Before(cut) == early {
					kept = append(kept, tu)
				}
			}
			grp["flowTuples"], n = kept, n+len(kept)
		}
	}
	if n == 0 {
		return nil
	}
	return cp
}

// TestFutureTupleReadFirst: a flow log whose one tuple is dated
// 99999999999999 (ms: the year 5138), read in a run of its own, is a
// future-time rejection and leaves no trace: the days read next give the
// alerts of a clean data directory, with no flow late.
func TestFutureTupleReadFirst(t *testing.T) {
	files, cfg := netMonth(t)
	cfg.DataDir = t.TempDir()
	want, _ := detectFiles(t, cfg, files...)

	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(data), `"flowTuples":["`) + len(`"flowTuples":["`)
	j := i + strings.Index(string(data[i:]), `"`)
	tuple := string(data[i:j])
	ts := tuple[:strings.Index(tuple, ",")]
	poisoned := filepath.Join(t.TempDir(), "vnet-poisoned.json")
	// The record with only that tuple, re-dated.
	rec := strings.Replace(string(data), tuple, "99999999999999"+strings.TrimPrefix(tuple, ts), 1)
	_, only := splitFlowFile(t, writeTemp(t, rec), time.UnixMilli(99999999999999).Add(-time.Hour))
	if err := os.Rename(only, poisoned); err != nil {
		t.Fatal(err)
	}

	cfg.DataDir = t.TempDir()
	_, sum := detectFiles(t, cfg, poisoned)
	if sum.Rejected["future-time"] != 1 || sum.Network.Flows != 0 {
		t.Fatalf("poisoned run: rejected %v, flows observed %d (read %d)", sum.Rejected, sum.Network.Flows, sum.FlowsRead)
	}
	got, sum := detectFiles(t, cfg, files...)
	if sum.Network.Late != 0 || len(sum.LateFlows) != 0 {
		t.Fatalf("after the poisoned run: %d flows late %v", sum.Network.Late, sum.LateFlows)
	}
	if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
		t.Errorf("alerts after the poisoned run differ from a clean data directory (-clean +poisoned):\n%s", diff)
	}
}

func writeTemp(t *testing.T, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vnetflowlogs.json")
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
