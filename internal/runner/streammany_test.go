package runner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// dealt deals the lines of src round-robin into n files, each in the
// order of src and spanning its whole time range, and writes them also
// concatenated in that order: the same events as one input.
func dealt(t *testing.T, src string, n int) (pieces []string, concatenated string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	bufs := make([]bytes.Buffer, n)
	for i, line := range bytes.SplitAfter(bytes.TrimSpace(data), []byte("\n")) {
		bufs[i%n].Write(bytes.TrimSuffix(line, []byte("\n")))
		bufs[i%n].WriteByte('\n')
	}
	dir := t.TempDir()
	var all bytes.Buffer
	for i := range bufs {
		name := filepath.Join(dir, fmt.Sprintf("piece-%04d.jsonl", i))
		if err := os.WriteFile(name, bufs[i].Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		all.Write(bufs[i].Bytes())
		pieces = append(pieces, name)
	}
	concatenated = filepath.Join(dir, "all.jsonl")
	if err := os.WriteFile(concatenated, all.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return pieces, concatenated
}

// sampleOpen samples this process's open descriptors and goroutines
// until the returned func is called, which returns their peaks.
func sampleOpen(t *testing.T) func() (fds, goroutines int) {
	t.Helper()
	mustReadDir(t, "/proc/self/fd")
	peakFDs, peakG := 0, 0
	stop := sampleEvery(time.Millisecond, func() {
		fds, _ := os.ReadDir("/proc/self/fd")
		peakFDs, peakG = max(peakFDs, len(fds)), max(peakG, runtime.NumGoroutine())
	})
	return func() (int, int) {
		stop()
		return peakFDs, peakG
	}
}

// TestManyInputsBoundedOpen: thousands of small inputs, each spanning the
// whole month, are read at most lim.open at a time, merged in groups
// spilled to runs and the runs merged at most lim.fanIn at a time: the
// open descriptors and goroutines stay bounded, and the alerts and their
// IDs are those of the same events given as one input.
func TestManyInputsBoundedOpen(t *testing.T) {
	dir, cfg := month(t)
	pieces, all := dealt(t, filepath.Join(dir, "signins.jsonl"), 2000)
	activity := filepath.Join(dir, "activity.jsonl")
	cfg.DataDir = t.TempDir()
	want, wantSum := detectFiles(t, cfg, all, activity)
	if len(want) == 0 {
		t.Fatal("the generated month raised no alerts")
	}

	lim := streamLimits{chunk: 64 << 10, depth: 2, window: 4096, run: 4096, open: 16, fanIn: 8}
	cfg.DataDir = t.TempDir()
	baseFDs, baseG := len(mustReadDir(t, "/proc/self/fd")), runtime.NumGoroutine()
	stop := sampleOpen(t)
	got, sum := detectOpts(t, cfg, Options{Flush: true, limits: &lim}, append(pieces, activity)...)
	peakFDs, peakG := stop()
	t.Logf("%d inputs: peak %d descriptors (%d before), %d goroutines (%d before); %d runs merged",
		len(pieces)+1, peakFDs, baseFDs, peakG, baseG, sum.MergedRuns)

	if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
		t.Errorf("alert IDs of %d inputs differ from one input (-one +many):\n%s", len(pieces), diff)
	}
	if sum.Read != wantSum.Read || sum.Pipeline.Processed != wantSum.Pipeline.Processed || len(sum.Formats) != len(pieces)+1 ||
		!cmp.Equal(sum.Rejected, wantSum.Rejected) {
		t.Errorf("read %d, processed %d, %d formats, rejected %v; want %d, %d, %d and %v", sum.Read, sum.Pipeline.Processed,
			len(sum.Formats), sum.Rejected, wantSum.Read, wantSum.Pipeline.Processed, len(pieces)+1, wantSum.Rejected)
	}
	// The database, the log files and the sampler aside: the inputs read
	// at once, the runs merged at once and the one being written.
	if bound := baseFDs + lim.open + lim.fanIn + 16; peakFDs > bound {
		t.Errorf("%d descriptors open at once, want at most %d", peakFDs, bound)
	}
	if bound := baseG + 2*lim.open + runtime.GOMAXPROCS(0) + 32; peakG > bound {
		t.Errorf("%d goroutines at once, want at most %d", peakG, bound)
	}
	if sum.MergedRuns < (len(pieces)+1)/lim.open {
		t.Errorf("%d runs merged, want one per group of %d inputs at least", sum.MergedRuns, lim.open)
	}
	if runs, _ := filepath.Glob(filepath.Join(cfg.DataDir, "vedette-sort-*")); len(runs) != 0 {
		t.Errorf("spill files left behind: %v", runs)
	}
}

func mustReadDir(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Skip(err)
	}
	return es
}

// cut cuts the lines of src into n consecutive files, as logs a file a
// day or an hour are: one after the other in time; each starts with a
// broken line. It writes them also concatenated: the same lines as one
// input.
func cut(t *testing.T, src string, n int) (pieces []string, concatenated string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(bytes.TrimSpace(data), []byte("\n"))
	dir := t.TempDir()
	var all bytes.Buffer
	for i := range n {
		name := filepath.Join(dir, fmt.Sprintf("part-%04d.jsonl", i))
		piece := bytes.Join(append([][]byte{[]byte("{broken\n")}, lines[i*len(lines)/n:(i+1)*len(lines)/n]...), nil)
		piece = append(bytes.TrimSuffix(piece, []byte("\n")), '\n')
		if err := os.WriteFile(name, piece, 0o600); err != nil {
			t.Fatal(err)
		}
		all.Write(piece)
		pieces = append(pieces, name)
	}
	concatenated = filepath.Join(dir, "all.jsonl")
	if err := os.WriteFile(concatenated, all.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return pieces, concatenated
}

// TestManyConsecutiveInputsReadFewAtOnce: inputs one after another in
// time are read a few at a time, those past lim.open waiting on their
// first event, and none spilled to disk; the alerts and their IDs, the
// events read and the rejections are those of the same lines as one
// input.
func TestManyConsecutiveInputsReadFewAtOnce(t *testing.T) {
	dir, cfg := month(t)
	signins, activity := filepath.Join(dir, "signins.jsonl"), filepath.Join(dir, "activity.jsonl")
	pieces, all := cut(t, signins, 1000)
	cfg.DataDir = t.TempDir()
	want, wantSum := detectFiles(t, cfg, all, activity)

	lim := streamLimits{chunk: 64 << 10, depth: 2, window: 4096, run: 4096, open: 8, fanIn: 8}
	cfg.DataDir = t.TempDir()
	baseFDs := len(mustReadDir(t, "/proc/self/fd"))
	stop := sampleOpen(t)
	got, sum := detectOpts(t, cfg, Options{Flush: true, limits: &lim}, append(pieces, activity)...)
	peakFDs, _ := stop()
	t.Logf("%d inputs: peak %d descriptors (%d before)", len(pieces)+1, peakFDs, baseFDs)
	if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
		t.Errorf("alert IDs of %d pieces differ from one input (-one +pieces):\n%s", len(pieces), diff)
	}
	if sum.Read != wantSum.Read || !cmp.Equal(sum.Rejected, wantSum.Rejected) || sum.MergedRuns != 0 || len(sum.Sorted) != 0 {
		t.Errorf("read %d, rejected %v (want %d, %v), %d runs merged, sorted %v: want no spill",
			sum.Read, sum.Rejected, wantSum.Read, wantSum.Rejected, sum.MergedRuns, sum.Sorted)
	}
	if bound := baseFDs + lim.open + 16; peakFDs > bound {
		t.Errorf("%d descriptors open at once, want at most %d", peakFDs, bound)
	}
}
