package netdetect

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

// TestSnapshotPartsRestore: state stored as an engine part and a part per
// host resumes exactly as the uninterrupted run, and a whole snapshot of
// before the split still restores through RestoreParts.
func TestSnapshotPartsRestore(t *testing.T) {
	t.Parallel()
	var recs = conn{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}.records(t0)
	recs = append(recs, conn{src: "10.0.0.4", dst: "10.0.1.9", port: 3389, n: 25}.records(t0)...)
	recs = append(recs, conn{src: "198.51.100.7", dst: "10.0.0.4", port: 22, n: 40}.records(t0.Add(2*time.Hour))...)
	cut := len(recs) - 20 // the first hour closed: hosts have history
	straight := newEngine(t, nil)
	var want []event.Alert // what the run raises after the cut
	for i := range recs {
		if as := straight.Observe(&recs[i]); i >= cut {
			want = append(want, as...)
		}
	}
	want = append(want, straight.Flush()...)
	first := newEngine(t, nil)
	for i := range recs[:cut] {
		first.Observe(&recs[i])
	}
	parts, err := first.SnapshotParts()
	if err != nil {
		t.Fatal(err)
	}
	hosts := 0
	for name := range parts {
		if strings.HasPrefix(name, HostPartPrefix) {
			hosts++
		}
	}
	if hosts == 0 || parts[EnginePart] == nil {
		t.Fatalf("parts %d hosts, engine %v", hosts, parts[EnginePart] != nil)
	}
	whole, _ := first.Snapshot()
	for name, restore := range map[string]map[string][]byte{"parts": parts, "whole snapshot": {"": whole}} {
		second := newEngine(t, nil)
		if err := second.RestoreParts(restore); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(first.history, second.history); d != "" || len(second.history) != hosts {
			t.Errorf("%s: host histories (-first +restored)\n%s", name, d)
		}
		var got []event.Alert
		for i := range recs[cut:] {
			got = append(got, second.Observe(&recs[cut+i])...)
		}
		got = append(got, second.Flush()...)
		if d := cmp.Diff(got, want); d != "" || len(got) == 0 {
			t.Errorf("%s: after restore, %d alerts (-got +want)\n%s", name, len(got), d)
		}
	}
	if err := newEngine(t, nil).RestoreParts(map[string][]byte{"host/x": {1}, "host/y": {2}}); err == nil {
		t.Error("parts without the engine part restored")
	}
}
