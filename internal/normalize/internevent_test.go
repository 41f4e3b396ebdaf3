package normalize

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vedette/vedette/internal/event"
)

// TestPredictedEvents reads a generated organisation's sign-ins and ARM
// activity through one reader, whose predictions of each field (the
// previous event's value, the cached principal and strings) and minute of
// time are then right and wrong in turn, in file order and then shuffled, each record's
// bytes overwritten once read; and each record again through a reader
// whose caches and predictions are emptied before each record. The events are the same.
func TestPredictedEvents(t *testing.T) {
	data, err := generatedOnce()
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	var order []int
	for i := 0; i < len(lines); i += 3 {
		order = append(order, i)
	}
	order = append(order, rand.New(rand.NewPCG(1, 2)).Perm(len(lines))[:len(order)/2]...)
	got, want := &collector{}, &collector{}
	rd, cold := newReader("generated", got), newReader("generated", want)
	for _, i := range order {
		buf := bytes.Clone(lines[i])
		if err := rd.record(buf, i+1); err != nil {
			t.Fatal(err)
		}
		for j := range buf {
			buf[j] = 'X'
		}
		cold.strs = strtab{tab: cold.strs.tab} // the table predicts nothing: it finds what it is given
		if err := cold.record(bytes.Clone(lines[i]), i+1); err != nil {
			t.Fatal(err)
		}
	}
	if len(want.events) != len(order) {
		t.Fatalf("%d events from %d records", len(want.events), len(order))
	}
	if diff := cmp.Diff(got.events, want.events, cmpopts.EquateComparable(event.Event{}.SourceIP)); diff != "" {
		t.Errorf("events differ from those read with no predictions (-got, +want):\n%s", diff)
	}
}

// FuzzPredictedEvents is TestPredictedEvents for hostile lines: a reader
// warmed on the sample records (its shapes, principals, strings and
// minute of time), then fed the input's lines in order, gives the events
// that a fresh reader gives for each line alone.
func FuzzPredictedEvents(f *testing.F) {
	recs := sampleRecords(f)
	for i, r := range recs {
		f.Add(bytes.Join([][]byte{r, recs[(i+1)%len(recs)], bytes.Replace(r, []byte(`:00`), []byte(`:0x`), 1)}, []byte("\n")))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got := &collector{}
		rd := newReader("fuzz", got)
		for _, r := range recs {
			_ = rd.record(bytes.Clone(r), 1)
		}
		got.events = nil
		want := &collector{}
		for i, line := range bytes.Split(in, []byte("\n")) {
			buf := bytes.Clone(line)
			warmErr := rd.record(buf, i+1)
			for j := range buf {
				buf[j] = 'X'
			}
			if coldErr := newReader("fuzz", want).record(bytes.Clone(line), i+1); (warmErr == nil) != (coldErr == nil) {
				t.Fatalf("line %d: warm reader %v, fresh reader %v", i+1, warmErr, coldErr)
			}
		}
		if diff := cmp.Diff(got.events, want.events, cmpopts.EquateComparable(event.Event{}.SourceIP)); diff != "" {
			t.Errorf("events differ from those read with no predictions (-got, +want):\n%s", diff)
		}
	})
}
