package deliver

import (
	"errors"
	"slices"
	"testing"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format/formattest"
	"github.com/vedette/vedette/internal/store"
)

// Against the real store: new alerts and a later triage arrive as created
// then updated/closed changes of the same finding; the cursor survives the
// store being closed and reopened; a refusing receiver's changes are listed
// by DeadLetters with attempts and reason.
func TestWithRealStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var alerts []event.Alert
	for _, c := range formattest.Changes(t) {
		if !slices.ContainsFunc(alerts, func(a event.Alert) bool { return a.ID == c.Alert.ID }) {
			alerts = append(alerts, c.Alert)
		}
	}
	if _, err := st.Insert(t.Context(), alerts); err != nil {
		t.Fatal(err)
	}
	resolved, active := event.StatusResolved, event.StatusActive
	if _, err := st.UpdateTriage(t.Context(), alerts[0].ID, "analyst", store.TriageUpdate{Status: &active}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateTriage(t.Context(), alerts[0].ID, "analyst", store.TriageUpdate{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	ok := &recorder{}
	refused := &recorder{fail: func(int, []event.Change) (bool, error) { return false, errors.New("422 Unprocessable Entity") }}
	d := newDeliverer(t, st, nil,
		Output{Name: "siem", Notifier: ok, Policy: Policy{BatchSize: 2}},
		Output{Name: "broken", Notifier: refused})
	if err := d.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	n := int64(len(alerts) + 2)
	if !slices.Equal(ok.got, seqs(1, n)) {
		t.Fatalf("siem got %v, want 1..%d", ok.got, n)
	}
	changes, err := st.OutboxAfter(t.Context(), n-2, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes[0].Kind != event.ChangeUpdated || changes[1].Kind != event.ChangeClosed ||
		changes[1].Alert.ID != alerts[0].ID || changes[1].Triage.Status != event.StatusResolved {
		t.Errorf("triage changes %+v", changes)
	}
	dead, err := st.DeadLetters(t.Context(), "broken", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != int(n) || dead[0].Attempts != 1 || dead[0].Reason != "422 Unprocessable Entity" {
		t.Errorf("dead letters %+v", dead)
	}
	st.Close()

	// Reopened, nothing is pending: both cursors were stored.
	st, err = store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	again := &recorder{}
	if err := newDeliverer(t, st, nil, Output{Name: "siem", Notifier: again}).Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(again.got) != 0 {
		t.Errorf("redelivered %v after reopening", again.got)
	}
}
