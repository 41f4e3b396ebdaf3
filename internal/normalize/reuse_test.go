package normalize

import (
	"bytes"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/recycle"
)

// decodeLines decodes lines (numbered from first) with d into values.
func decodeLines(t *testing.T, d *LineDecoder, lines []byte, first int, st LinesState) (*collector, LinesState) {
	t.Helper()
	c := &collector{}
	st, err := d.Decode("sample.jsonl", lines, first, nil, st, c)
	if err != nil {
		t.Fatal(err)
	}
	return c, st
}

func values(events []*event.Event) []event.Event {
	out := make([]event.Event, len(events))
	for i, e := range events {
		out[i] = *e
	}
	return out
}

// TestReusedEventsAreFresh: a decoder that builds its events in released
// ones (detect's pipeline releases what it has processed, whatever it
// left in them) gives exactly the events of a decoder allocating new
// ones, with the same rejections; nothing of the released event shows.
func TestReusedEventsAreFresh(t *testing.T) {
	sample, err := os.ReadFile("../../testdata/sample/signins.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	activity, err := os.ReadFile("../../testdata/sample/activity.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(bytes.TrimSpace(sample), []byte("\n"))
	lines = append(lines[:len(lines)-1], append(lines[len(lines)-1], '\n'))
	lines = append(lines, []byte("{not json\n"), []byte(`{"time":"2026-01-01T00:00:00Z"}`+"\n"))
	lines = append(lines, bytes.SplitAfter(bytes.TrimSpace(activity), []byte("\n"))...)
	half := 2 * recycle.BatchSize // the first part releases two whole batches
	partA, partB := bytes.Join(lines[:half], nil), bytes.Join(lines[half:], nil)

	fresh := NewLineDecoder()
	_, st := decodeLines(t, fresh, partA, 1, LinesState{})
	want, _ := decodeLines(t, fresh, partB, half+1, st)

	pool := recycle.New(4)
	reusing := NewLineDecoder()
	reusing.Reuse(pool)
	first, st := decodeLines(t, reusing, partA, 1, LinesState{})
	released := map[*event.Event]bool{}
	tags := []event.IPTag{{Category: "tor", List: "stale"}}
	for _, e := range first.events {
		// What a pipeline may leave in an event: enrichment, detail.
		e.Enrichment = event.Enrichment{Done: true, Tagged: true, Lists: 7, Tags: &tags}
		e.Location = event.Location{Country: "ZZ", HasCoord: true, Lat: 1}
		e.Detail, e.SourceIP, e.Time = "stale", netip.MustParseAddr("198.51.100.1"), time.Unix(1, 0)
		released[e] = true
		pool.Release(e)
	}
	got, _ := decodeLines(t, reusing, partB, half+1, st)
	if diff := cmp.Diff(values(want.events), values(got.events), cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Errorf("events built in released ones (-fresh +reused):\n%s", diff)
	}
	if diff := cmp.Diff(want.rejections, got.rejections); diff != "" {
		t.Errorf("rejections (-fresh +reused):\n%s", diff)
	}
	reused := 0
	for _, e := range got.events {
		if released[e] {
			reused++
		}
	}
	// The block the first part started is used up first.
	if want := min(len(got.events)-(eventBlock-1), 2*recycle.BatchSize); !recycle.Poisoning && reused < want {
		t.Errorf("%d of %d events built in released ones, want at least %d", reused, len(got.events), want)
	}
}
