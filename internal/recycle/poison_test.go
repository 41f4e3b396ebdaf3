//go:build vedettepoison

package recycle

import (
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/event"
)

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one about %q", want)
		}
		if s, _ := r.(string); !strings.Contains(s, want) {
			t.Fatalf("panic %v, want one about %q", r, want)
		}
	}()
	f()
}

func TestPoisonUseAfterRelease(t *testing.T) {
	p := New(1)
	e := &event.Event{Key: "k", Principal: "alice@example.com"}
	Check(e)
	p.Release(e)
	if e.Principal != Marker || e.Location.Country != Marker || e.Origin.Source != Marker {
		t.Fatalf("released event not poisoned: %+v", e)
	}
	mustPanic(t, "used after its release", func() { Check(e) })
	mustPanic(t, "released twice", func() { p.Release(e) })
	loc := e.Location
	mustPanic(t, "built from a released event", func() {
		CheckAlerts([]event.Alert{{ID: "a", Entities: []event.Entity{{Type: "location", Location: &loc}}}})
	})
	CheckAlerts([]event.Alert{{ID: "b", Principal: "alice@example.com"}})
}

func TestPoisonWriteAfterRelease(t *testing.T) {
	p := New(1)
	first := &event.Event{Key: "first"}
	p.Release(first)
	first.Key = "written late"
	for range quarantineSize - 1 {
		p.Release(&event.Event{})
	}
	mustPanic(t, "written after its release", func() { p.Release(&event.Event{}) })
}
