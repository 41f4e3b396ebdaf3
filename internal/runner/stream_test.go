package runner

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/gen"
)

// smallLimits make a generated month need many chunks, windows and spilled
// runs.
var smallLimits = streamLimits{chunk: 32 << 10, depth: 2, window: 64, run: 2000}

// shuffled writes the lines of src in a random order.
func shuffled(t *testing.T, src string, seed uint64) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(bytes.TrimSpace(data), []byte("\n"))
	for i, l := range lines {
		if !bytes.HasSuffix(l, []byte("\n")) {
			lines[i] = append(l, '\n')
		}
	}
	rand.New(rand.NewPCG(seed, 1)).Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	out := filepath.Join(t.TempDir(), "shuffled-"+filepath.Base(src))
	if err := os.WriteFile(out, bytes.Join(lines, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestShuffledInputSortedBySpilling: a file shuffled far beyond the reorder
// window is found out of order, the run starts over with it sorted in runs
// spilled to disk, and the alerts and their IDs are those of the file in
// order.
func TestShuffledInputSortedBySpilling(t *testing.T) {
	dir, cfg := month(t)
	signins, activity := filepath.Join(dir, "signins.jsonl"), filepath.Join(dir, "activity.jsonl")
	cfg.DataDir = t.TempDir()
	want, wantSum := detectFiles(t, cfg, signins, activity)
	if len(want) == 0 {
		t.Fatal("the generated month raised no alerts")
	}
	mixed := shuffled(t, signins, 7)
	cfg.DataDir = t.TempDir()
	got, sum := detectOpts(t, cfg, Options{Flush: true, limits: &smallLimits}, mixed, activity)
	if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
		t.Errorf("alert IDs of the shuffled file differ (-in order +shuffled):\n%s", diff)
	}
	if !slices.Equal(sum.Sorted, []string{mixed}) || sum.SpilledRuns < 2 {
		t.Errorf("sorted inputs %v, %d runs spilled; want the shuffled file, in runs of %d", sum.Sorted, sum.SpilledRuns, smallLimits.run)
	}
	if sum.Read != wantSum.Read || sum.Pipeline.Processed != wantSum.Pipeline.Processed {
		t.Errorf("read %d, processed %d; want %d and %d as in order", sum.Read, sum.Pipeline.Processed, wantSum.Read, wantSum.Pipeline.Processed)
	}
	runs, _ := filepath.Glob(filepath.Join(cfg.DataDir, "vedette-sort-*"))
	if len(runs) != 0 {
		t.Errorf("spill files left behind: %v", runs)
	}
	dead, err := os.ReadFile(filepath.Join(cfg.DataDir, "rejected.jsonl"))
	if err != nil || bytes.Count(dead, []byte("\n")) != countRejected(sum) {
		t.Errorf("rejected.jsonl holds %d lines, want one per rejection (%v) though the run started over: %v", bytes.Count(dead, []byte("\n")), sum.Rejected, err)
	}
}

func countRejected(sum Summary) int {
	n := 0
	for _, v := range sum.Rejected {
		n += v
	}
	return n
}

// TestSmallChunksAndWindowsAgree: the month read in many small chunks
// through small windows, its files in either order, gives the alerts of
// the default limits.
func TestSmallChunksAndWindowsAgree(t *testing.T) {
	dir, cfg := month(t)
	inputs := []string{filepath.Join(dir, "signins.jsonl"), filepath.Join(dir, "activity.jsonl")}
	cfg.DataDir = t.TempDir()
	want, wantSum := detectFiles(t, cfg, inputs...)
	lim := smallLimits
	lim.window = 4096 // the generated files are in order: no sort
	cfg.DataDir = t.TempDir()
	got, sum := detectOpts(t, cfg, Options{Flush: true, limits: &lim}, inputs[1], inputs[0])
	if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
		t.Errorf("alert IDs differ (-default +small chunks):\n%s", diff)
	}
	if len(sum.Sorted) != 0 || sum.Read != wantSum.Read || !cmp.Equal(sum.Formats, wantSum.Formats) {
		t.Errorf("summary %+v, want %+v", sum, wantSum)
	}
}

// TestDetectMemoryBoundedByState: the same month given four times over
// (four copies, each event read four times; the copies are recognised as
// already processed, so the state is that of one) must not cost detect
// the heap of four times the records: what it holds is the state, the
// windows and the read-ahead, not the records. Reading whole and sorting
// cost about 700 bytes per record.
func TestDetectMemoryBoundedByState(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a month")
	}
	dir := t.TempDir()
	gc := gen.DefaultConfig()
	gc.Users, gc.Days = 30, 60
	if _, err := gen.Generate(dir, gc); err != nil {
		t.Fatal(err)
	}
	signins := filepath.Join(dir, "signins.jsonl")
	peak := func(inputs ...string) (Summary, uint64) {
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		lim := streamLimits{chunk: 256 << 10, depth: 2, window: 2048, run: 4096}
		stop := sampleHeap()
		_, sum := detectOpts(t, cfg, Options{Flush: true, limits: &lim}, inputs...)
		return sum, stop()
	}
	one, h1 := peak(signins)
	four, h4 := peak(signins, signins, signins, signins)
	extra := four.Read - one.Read
	perRecord := float64(int64(h4)-int64(h1)) / float64(extra)
	t.Logf("%d records: peak live heap %d MB; %d records: %d MB; %.0f B per extra record", one.Read, h1>>20, four.Read, h4>>20, perRecord)
	if four.Read != 4*one.Read || four.Pipeline.Replayed != extra || perRecord > 150 {
		t.Errorf("read %d and %d records (%d already processed), peak heap grew %.0f bytes per extra record, want 4×, 3× and under 150",
			one.Read, four.Read, four.Pipeline.Replayed, perRecord)
	}
}

// sampleHeap samples the live heap (as of the last collection) until the
// returned func is called, which returns the peak.
func sampleHeap() func() uint64 {
	runtime.GC()
	var peak uint64
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	stop := sampleEvery(5*time.Millisecond, func() {
		metrics.Read(live)
		peak = max(peak, live[0].Value.Uint64())
	})
	return func() uint64 {
		stop()
		return peak
	}
}

// sampleEvery calls sample every d, in a goroutine of its own, until the
// returned func is called; once it returns, what sample wrote can be read.
func sampleEvery(d time.Duration, sample func()) (stop func()) {
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// TestSpilledRunsCountFinalAttempt: two inputs each found out of order in
// turn make three attempts, the second sorting (and spilling) the first
// input already; the summary counts the runs of the final attempt only,
// those of each input sorted alone.
func TestSpilledRunsCountFinalAttempt(t *testing.T) {
	dir, cfg := month(t)
	signins := filepath.Join(dir, "signins.jsonl")
	a, b := shuffled(t, signins, 7), shuffled(t, signins, 8)
	// Runs under 1024 events are 1024, alone and as two inputs alike.
	lim := smallLimits
	lim.run = 1000
	spilled := func(inputs ...string) Summary {
		cfg.DataDir = t.TempDir()
		_, sum := detectOpts(t, cfg, Options{Flush: true, limits: &lim}, inputs...)
		return sum
	}
	alone := spilled(a).SpilledRuns + spilled(b).SpilledRuns
	both := spilled(a, b)
	if len(both.Sorted) != 2 || both.SpilledRuns != alone || alone == 0 {
		t.Errorf("sorted %v, %d runs spilled; want both inputs and %d runs, as each sorted alone", both.Sorted, both.SpilledRuns, alone)
	}
}

// TestDetectReportsProgress: a run tells Options.Progress, periodically
// and not per event, how many events it has read and processed, the last
// line its totals.
func TestDetectReportsProgress(t *testing.T) {
	dir, cfg := month(t)
	cfg.DataDir = t.TempDir()
	var out bytes.Buffer
	_, sum := detectOpts(t, cfg, Options{Flush: true, Progress: &out, progressEvery: time.Microsecond},
		filepath.Join(dir, "signins.jsonl"), filepath.Join(dir, "activity.jsonl"))
	line := regexp.MustCompile(`^vedette: read (\d+) events, processed (\d+) (\(\d+/s read\)|in \S+)$`)
	var read, processed []int
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("progress line %q", l)
		}
		r, _ := strconv.Atoi(m[1])
		p, _ := strconv.Atoi(m[2])
		read, processed = append(read, r), append(processed, p)
	}
	n := len(read)
	// A line at most per chunk read (about 680 records) and per 4096
	// events processed.
	if n < 3 || n > sum.Read/400 || !slices.IsSorted(read) || !slices.IsSorted(processed) {
		t.Fatalf("%d progress lines for %d events, read %v, processed %v: want a few, counts growing", n, sum.Read, read, processed)
	}
	if read[0] >= sum.Read || read[n-1] != sum.Read || processed[n-1] != sum.Pipeline.Processed {
		t.Errorf("read %d then %d, processed %d at the end; want under %d first, then %d and %d",
			read[0], read[n-1], processed[n-1], sum.Read, sum.Read, sum.Pipeline.Processed)
	}
}
