package reorder

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

var t0 = time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)

// disordered makes n events a second apart (two per second share a time, so
// the key decides) and shuffles them within a window of disorder.
func disordered(rng *rand.Rand, prefix string, n int, disorder time.Duration) []*event.Event {
	evs := make([]*event.Event, n)
	for i := range evs {
		evs[i] = &event.Event{Time: t0.Add(time.Duration(i/2) * time.Second), Key: fmt.Sprintf("%s-%05d", prefix, rng.IntN(100000))}
	}
	// Displace each event forward by up to the disorder: it then arrives
	// after events at most that much newer.
	pos := make([]time.Time, n)
	for i, e := range evs {
		pos[i] = e.Time.Add(time.Duration(rng.Int64N(int64(disorder) + 1)))
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return pos[a].Compare(pos[b]) })
	out := make([]*event.Event, n)
	for i, j := range idx {
		out[i] = evs[j]
	}
	return out
}

func sorted(evs []*event.Event) []string {
	s := slices.Clone(evs)
	slices.SortStableFunc(s, func(a, b *event.Event) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Key, b.Key))
	})
	return names(s)
}

func names(evs []*event.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Time.Format("15:04:05") + " " + e.Key
	}
	return out
}

func TestReleasesBatchOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		lateness time.Duration
		disorder time.Duration
		streams  int
		wantLate bool
	}{
		{"one stream within lateness", 5 * time.Minute, 4 * time.Minute, 1, false},
		{"three streams within lateness", 5 * time.Minute, 5 * time.Minute, 3, false},
		{"in order, no lateness", 0, 0, 1, false},
		{"disorder past lateness", time.Minute, 10 * time.Minute, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(1, uint64(tt.streams)))
			b := New[int](tt.lateness)
			var all []*event.Event
			var in [][]*event.Event
			for s := range tt.streams {
				evs := disordered(rng, fmt.Sprint("s", s), 3000, tt.disorder)
				in, all = append(in, evs), append(all, evs...)
			}
			var got []*event.Event
			var rel []Item[int]
			// Streams deliver in uneven chunks: stream s sends 7+s events
			// per round, so they drift apart in event time.
			for round, pos := 0, make([]int, len(in)); ; round++ {
				done := true
				for s, evs := range in {
					n := min(len(evs)-pos[s], 7+13*s)
					for _, e := range evs[pos[s] : pos[s]+n] {
						if !b.Push(fmt.Sprint(s), e, s) {
							got = append(got, e)
						}
					}
					pos[s] += n
					if pos[s] == len(evs) {
						b.Idle(fmt.Sprint(s))
					} else {
						done = false
					}
				}
				rel = b.Release(rel[:0])
				for _, it := range rel {
					got = append(got, it.Event)
				}
				if done {
					break
				}
			}
			for _, it := range b.Flush(nil) {
				got = append(got, it.Event)
			}
			st := b.Stats()
			if st.Held != 0 || b.Len() != 0 || st.Released+st.Late != len(all) {
				t.Errorf("stats %+v after flush of %d events", st, len(all))
			}
			if tt.wantLate {
				if st.Late == 0 {
					t.Error("disorder past the lateness made no late events")
				}
				return
			}
			if diff := gocmp.Diff(sorted(all), names(got)); diff != "" {
				t.Errorf("release order differs from one sorted batch (-batch +released):\n%s", diff)
			}
		})
	}
}

func TestSlowStreamHoldsWatermark(t *testing.T) {
	t.Parallel()
	b := New[string](time.Minute)
	ev := func(min int, key string) *event.Event {
		return &event.Event{Time: t0.Add(time.Duration(min) * time.Minute), Key: key}
	}
	b.Push("fast", ev(0, "a"), "fast")
	b.Push("slow", ev(1, "b"), "slow")
	b.Push("fast", ev(60, "c"), "fast")
	if got := b.Release(nil); len(got) != 0 {
		t.Fatalf("released %d events while the slow stream is at minute 1", len(got))
	}
	b.Idle("slow")
	got := b.Release(nil)
	if len(got) != 2 || got[0].Tag != "fast" || got[1].Tag != "slow" {
		t.Fatalf("after the slow stream caught up released %+v, want minutes 0 and 1", got)
	}
	if want := t0.Add(59 * time.Minute); !b.Watermark().Equal(want) {
		t.Errorf("watermark %s, want %s", b.Watermark(), want)
	}
	if b.Push("slow", ev(30, "late"), "slow") {
		t.Error("an event older than the released watermark was held")
	}
	if st := b.Stats(); st.Late != 1 || st.Held != 1 || st.Released != 2 {
		t.Errorf("stats %+v", st)
	}
	b.Forget("slow")
	if got := b.Flush(nil); len(got) != 1 || got[0].Event.Key != "c" {
		t.Errorf("flush released %+v, want the held minute-60 event", got)
	}
}

func BenchmarkPushRelease(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	evs := disordered(rng, "k", 10000, 2*time.Minute)
	b.ReportAllocs()
	var rel []Item[int]
	for b.Loop() {
		buf := New[int](5 * time.Minute)
		for i, e := range evs {
			buf.Push("p", e, i)
			if i%100 == 99 {
				rel = buf.Release(rel[:0])
			}
		}
		rel = buf.Flush(rel[:0])
	}
}

// TestAdvance: after Advance, held events before the cut are released at
// once and older pushes are late; a stream still holds later events.
func TestAdvance(t *testing.T) {
	base := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	b := New[int](time.Minute)
	b.Open("a")
	b.Open("b")
	b.Push("a", &event.Event{Time: base.Add(10 * time.Second), Key: "x"}, 1)
	b.Push("a", &event.Event{Time: base.Add(40 * time.Second), Key: "y"}, 2)
	if got := b.Release(nil); len(got) != 0 {
		t.Fatalf("released %d before any cut", len(got))
	}
	b.Advance(base.Add(30 * time.Second))
	b.Advance(base) // never backwards
	if got := b.Release(nil); len(got) != 1 || got[0].Tag != 1 {
		t.Fatalf("released %v, want the event before the cut", got)
	}
	if b.Push("b", &event.Event{Time: base.Add(20 * time.Second)}, 3) {
		t.Fatal("an event before the cut was held")
	}
	if !b.Watermark().Equal(base.Add(30*time.Second)) || b.Len() != 1 {
		t.Fatalf("watermark %v, %d held", b.Watermark(), b.Len())
	}
}
