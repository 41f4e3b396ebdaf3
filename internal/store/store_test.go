package store

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

func alert(id string) event.Alert {
	return event.Alert{
		ID: id, Detection: "impossible-travel", Name: "Impossible travel activity",
		Severity: event.SeverityMedium, Confidence: 0.8, Time: time.Date(2026, 10, 10, 10, 0, 0, 0, time.UTC),
		Tenant: "contoso", Principal: "alice@contoso.com",
		Evidence: []event.Evidence{{Key: "k1", Source: "signins.jsonl", Record: 7}},
	}
}

func TestAlertsSurviveReopenAndDeduplicate(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	added, err := s.AddAlerts([]event.Alert{alert("a1"), alert("a2"), alert("a1")})
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 2 {
		t.Errorf("added %d alerts, want 2 (a1 twice in one batch)", len(added))
	}
	if err := s.SaveState("baselines", []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	added, err = s.AddAlerts([]event.Alert{alert("a2"), alert("a3")})
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 1 || added[0].ID != "a3" {
		t.Errorf("after reopen added %v, want only a3", added)
	}
	var got []event.Alert
	if err := s.Alerts(func(a event.Alert) error { got = append(got, a); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []event.Alert{alert("a1"), alert("a2"), alert("a3")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored alerts (-want +got):\n%s", diff)
	}
	data, err := s.LoadState("baselines")
	if err != nil || !cmp.Equal(data, []byte{1, 2, 3}) {
		t.Errorf("LoadState = %v, %v", data, err)
	}
	if _, err := s.LoadState("nothing"); !errors.Is(err, ErrNoState) {
		t.Errorf("LoadState of a missing name = %v, want ErrNoState", err)
	}
}

func TestSecondOpenFailsWhileLocked(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if testing.Short() {
		t.Skip("waits for the 5 s lock timeout")
	}
	if _, err := Open(dir); err == nil {
		t.Error("a second Open of a data directory in use succeeded")
	}
}
