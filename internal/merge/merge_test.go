package merge

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

// events are n events a minute apart, keys from a small set so that equal
// (time, key) pairs occur; Origin.Record tells them apart.
func events(source string, n int, seed uint64) []*event.Event {
	r := rand.New(rand.NewPCG(seed, 2))
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*event.Event, n)
	for i := range out {
		out[i] = &event.Event{Time: start.Add(time.Duration(i/3) * time.Minute), Key: fmt.Sprint(r.IntN(3)),
			Origin: event.Origin{Source: source, Record: i + 1}}
	}
	return out
}

// jitter moves each event by at most d places.
func jitter(es []*event.Event, d int, seed uint64) []*event.Event {
	r := rand.New(rand.NewPCG(seed, 3))
	pos := make(map[*event.Event]int, len(es))
	for i, e := range es {
		pos[e] = i + r.IntN(d+1)
	}
	out := slices.Clone(es)
	slices.SortStableFunc(out, func(a, b *event.Event) int { return pos[a] - pos[b] })
	return out
}

type list struct {
	es []*event.Event
	i  int
}

func (l *list) Next() (*event.Event, error) {
	if l.i == len(l.es) {
		return nil, io.EOF
	}
	l.i++
	return l.es[l.i-1], nil
}

func drain(t *testing.T, s Source) ([]event.Origin, error) {
	t.Helper()
	var got []event.Origin
	for {
		e, err := s.Next()
		if err == io.EOF {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		got = append(got, e.Origin)
	}
}

// stable is what detect did before streaming: every event, input after
// input, stably sorted by (time, key).
func stable(inputs ...[]*event.Event) []event.Origin {
	all := slices.Concat(inputs...)
	slices.SortStableFunc(all, Compare)
	out := make([]event.Origin, len(all))
	for i, e := range all {
		out[i] = e.Origin
	}
	return out
}

func TestWindowMergeIsStableSort(t *testing.T) {
	a, b, c := jitter(events("a", 3000, 1), 40, 1), jitter(events("b", 2000, 2), 10, 2), events("c", 500, 3)
	got, err := drain(t, Merge([]Source{NewWindow(&list{es: a}, 64), NewWindow(&list{es: b}, 64), NewWindow(&list{es: c}, 3)}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(stable(a, b, c), got); diff != "" {
		t.Errorf("merged order differs from a stable sort (-want +got):\n%s", diff)
	}
}

func TestWindowTooSmallFails(t *testing.T) {
	a := jitter(events("a", 3000, 1), 400, 4)
	done := false
	w := NewWindow(&list{es: a}, 16)
	w.Done = func() { done = true }
	_, err := drain(t, w)
	if !errors.Is(err, ErrOrder) || done {
		t.Errorf("err %v, done %v; want ErrOrder before the end", err, done)
	}
}

func TestSortSpillsAndIsStable(t *testing.T) {
	a := events("a", 5000, 5)
	rand.New(rand.NewPCG(6, 6)).Shuffle(len(a), func(i, j int) { a[i], a[j] = a[j], a[i] })
	for _, run := range []int{1 << 20, 700, 300} {
		s := Sort(&list{es: a}, run, t.TempDir(), DefaultFanIn)
		got, err := drain(t, s)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(stable(a), got); diff != "" {
			t.Errorf("run %d: sorted order differs (-want +got):\n%s", run, diff)
		}
		if want := len(a) / run; run < len(a) && s.Spilled != want {
			t.Errorf("run %d: %d runs spilled, want %d", run, s.Spilled, want)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestSpillKeepsEvents: an event read back from a spilled run is the event
// written, every field.
func TestSpillKeepsEvents(t *testing.T) {
	e := &event.Event{Key: "k", Kind: event.KindSignIn, Time: time.Date(2026, 10, 1, 1, 2, 3, 4, time.UTC),
		Tenant: "t", Principal: "p@x", PrincipalKind: event.PrincipalUser, Interactive: true, Result: event.ResultFailure,
		Location: event.Location{Country: "FR", City: "Lyon", HasCoord: true, Lat: 45.7, Lon: 4.8},
		Network:  event.Network{ASN: 3215, Org: "Orange"}, Origin: event.Origin{Source: "s", Record: 9}}
	e.SourceIP = mustAddr(t, "2001:db8::1")
	s := Sort(&list{es: []*event.Event{e, e}}, 1, t.TempDir(), 2)
	defer s.Close()
	got, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("spilled event changed (-want +got):\n%s", diff)
	}
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestStampsOrderAsCompare merges windows (stamped) with plain sources
// over times that differ by nanoseconds, and times before 1970 (whose
// Unix seconds round down): the order is the stable sort's.
func TestStampsOrderAsCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	base := []time.Time{time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	var inputs [][]*event.Event
	for in := range 4 {
		es := make([]*event.Event, 300)
		for i := range es {
			at := base[i%2].Add(time.Duration(r.IntN(2_000_000_000)))
			es[i] = &event.Event{Time: at, Key: fmt.Sprint(r.IntN(2)), Origin: event.Origin{Source: fmt.Sprint(in), Record: i + 1}}
		}
		slices.SortStableFunc(es, Compare)
		inputs = append(inputs, es)
	}
	srcs := []Source{NewWindow(&list{es: inputs[0]}, 4), &list{es: inputs[1]}, NewWindow(&list{es: inputs[2]}, 300), &list{es: inputs[3]}}
	got, err := drain(t, Merge(srcs))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(stable(inputs...), got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
