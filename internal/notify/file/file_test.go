package file

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format/formattest"
	"github.com/vedette/vedette/internal/format/vedettejson"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func readIDs(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			ID     string `json:"id"`
			Change struct{ Seq int64 }
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

func TestRotation(t *testing.T) {
	t.Parallel()
	changes := formattest.Changes(t)
	cases := map[string]struct {
		cfg      Config
		step     time.Duration // clock advance between batches
		wantLive int           // records in the live file at the end
		wantOld  int           // rotated files kept
	}{
		"no rotation":          {Config{}, time.Minute, 5, 0},
		"under the size limit": {Config{MaxSizeMB: 1}, 0, 5, 0},
		"by age":               {Config{MaxAge: time.Hour}, 40 * time.Minute, 1, 2},
		"by age, two kept":     {Config{MaxAge: time.Hour, MaxBackups: 1}, 61 * time.Minute, 1, 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tc.cfg.Path = filepath.Join(dir, "alerts.jsonl")
			clk := &clock{time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)}
			n, err := New(tc.cfg, vedettejson.Format, clk.now)
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			for _, c := range changes {
				if retry, err := n.Notify(t.Context(), []event.Change{c}); err != nil {
					t.Fatalf("retry=%v err=%v", retry, err)
				}
				clk.t = clk.t.Add(tc.step)
			}
			if got := len(readIDs(t, tc.cfg.Path)); got != tc.wantLive {
				t.Errorf("live file has %d records, want %d", got, tc.wantLive)
			}
			old, _ := filepath.Glob(tc.cfg.Path + ".*")
			if len(old) != tc.wantOld {
				t.Errorf("rotated files %v, want %d", old, tc.wantOld)
			}
			// Nothing is lost across rotations (unless pruned on purpose).
			if tc.cfg.MaxBackups == 0 {
				var all []string
				for _, p := range append(slices.Sorted(slices.Values(old)), tc.cfg.Path) {
					all = append(all, readIDs(t, p)...)
				}
				if len(all) != len(changes) {
					t.Errorf("%d records across files, want %d", len(all), len(changes))
				}
			}
		})
	}
}

// A size limit smaller than what is pending still writes (an empty file is
// never rotated) and rotates before the next write.
func TestRotationBySizeLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.jsonl")
	clk := &clock{time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)}
	n, err := New(Config{Path: path, MaxSizeMB: 1}, vedettejson.Format, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	changes := formattest.Changes(t)
	var big []event.Change
	for len(big) < 500 { // ~2.5 MB
		big = append(big, changes...)
	}
	for i := range 2 {
		clk.t = clk.t.Add(time.Second)
		if _, err := n.Notify(t.Context(), big); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	old, _ := filepath.Glob(path + ".*")
	if len(old) != 1 || len(readIDs(t, old[0])) != len(big) || len(readIDs(t, path)) != len(big) {
		t.Errorf("want one rotated file and the live one with %d records each, got %v", len(big), old)
	}
}
