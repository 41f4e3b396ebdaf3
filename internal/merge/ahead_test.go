package merge

import (
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

// Ahead yields what its source yields, a window's order error included
// after the events released before it, and each event is prefetched
// once, before it is yielded.
func TestAheadYieldsTheSource(t *testing.T) {
	t.Parallel()
	in := events("a", 1000, 1)
	late := jitter(in, 40, 2) // beyond a window of 8: ErrOrder
	for _, tc := range []struct {
		name string
		src  func() Source
	}{
		{"in order", func() Source { return &list{es: in} }},
		{"window", func() Source { return NewWindow(&list{es: jitter(in, 5, 3)}, 8) }},
		{"window failing", func() Source { return NewWindow(&list{es: late}, 8) }},
	} {
		for _, n := range []int{1, 16, 5000} {
			want, wantErr := drain(t, tc.src())
			yielded := map[*event.Event]bool{}
			prefetched := map[*event.Event]int{}
			src := Ahead(tc.src(), n, func(batch []*event.Event) {
				for _, e := range batch {
					prefetched[e]++
				}
			})
			var got []event.Origin
			var err error
			for {
				var e *event.Event
				if e, err = src.Next(); err != nil {
					break
				}
				if prefetched[e] != 1 || yielded[e] {
					t.Fatalf("%s, %d ahead: %v yielded (again: %v) after %d prefetches", tc.name, n, e.Origin, yielded[e], prefetched[e])
				}
				yielded[e] = true
				got = append(got, e.Origin)
			}
			if wantErr == nil {
				wantErr = io.EOF
			}
			if failing := tc.name == "window failing"; failing != errors.Is(wantErr, ErrOrder) {
				t.Fatalf("%s: the source's error is %v", tc.name, wantErr)
			}
			if err != wantErr && err.Error() != wantErr.Error() {
				t.Errorf("%s, %d ahead: error %v, want %v", tc.name, n, err, wantErr)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s, %d ahead: events (-want +got):\n%s", tc.name, n, diff)
			}
		}
	}
}
