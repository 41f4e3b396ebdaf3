package merge

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

// openIn counts this process's open descriptors on files in dir.
func openIn(t *testing.T, dir string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			n++
		}
	}
	return n
}

// TestSortFanInBounded: a sort that spills far more runs than its fan-in
// merges them in levels, never holding more than the fan-in open, and
// gives the order of a stable sort.
func TestSortFanInBounded(t *testing.T) {
	a := events("a", 6000, 8)
	rand.New(rand.NewPCG(9, 9)).Shuffle(len(a), func(i, j int) { a[i], a[j] = a[j], a[i] })
	for _, fanIn := range []int{2, 3, 8} {
		dir := t.TempDir()
		s := Sort(&list{es: a}, 50, dir, fanIn)
		var got []event.Origin
		peak := 0
		for {
			e, err := s.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			peak = max(peak, openIn(t, dir))
			got = append(got, e.Origin)
		}
		if diff := cmp.Diff(stable(a), got); diff != "" {
			t.Fatalf("fan-in %d: sorted order differs (-want +got):\n%s", fanIn, diff)
		}
		if s.Spilled != len(a)/50 || s.Merged == 0 {
			t.Errorf("fan-in %d: %d runs spilled, %d merged; want %d spilled and some merged", fanIn, s.Spilled, s.Merged, len(a)/50)
		}
		if peak > fanIn {
			t.Errorf("fan-in %d: %d run files open at once", fanIn, peak)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Errorf("fan-in %d: %d run files left", fanIn, len(left))
		}
	}
}

// TestRunsMergeConsecutive: runs added from consecutive pieces of an order
// (equal events in several pieces) merge back into that order, through
// any number of levels.
func TestRunsMergeConsecutive(t *testing.T) {
	es := slices.Clone(events("a", 3000, 10))
	slices.SortStableFunc(es, Compare)
	for _, fanIn := range []int{2, 5, 100} {
		rs := NewRuns(t.TempDir(), fanIn)
		for start := 0; start < len(es); start += 37 {
			if err := rs.Add(&list{es: es[start:min(start+37, len(es))]}); err != nil {
				t.Fatal(err)
			}
		}
		out, err := rs.Merge()
		if err != nil {
			t.Fatal(err)
		}
		got, err := drain(t, out)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(stable(es), got); diff != "" {
			t.Errorf("fan-in %d: merged runs out of order (-want +got):\n%s", fanIn, diff)
		}
		if fanIn < 82 && rs.Merged == 0 {
			t.Errorf("fan-in %d: 82 runs merged in one step", fanIn)
		}
		if err := rs.Close(); err != nil {
			t.Error(err)
		}
	}
}
