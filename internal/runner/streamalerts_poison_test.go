//go:build vedettepoison

package runner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/recycle"
)

// TestPoisonHeldAlertsChecked: an alert that points into an event
// released after the alert was built (a later event of the batch read
// ahead, one a detector kept) passes the check made as Process returns;
// the alerts held back while an input may be abandoned are checked again
// when they are stored.
func TestPoisonHeldAlertsChecked(t *testing.T) {
	rec := recycle.New(1)
	later := &event.Event{Key: "later", Location: event.Location{Country: "FR", City: "Lyon"}}
	b := &alertBatches{hold: true}
	alerts := []event.Alert{{ID: "a1", Entities: []event.Entity{{Type: "location", ID: "FR", Location: &later.Location}}}}
	recycle.CheckAlerts(alerts) // as process does: later is not released yet
	if err := b.add(alerts); err != nil {
		t.Fatal(err)
	}
	if err := b.cut(); err != nil {
		t.Fatal(err)
	}
	rec.Release(later)
	defer func() {
		if r := fmt.Sprint(recover()); !strings.Contains(r, "built from a released event") {
			t.Fatalf("storing the held alerts: panic %q, want the poison check's", r)
		}
	}()
	_ = b.release()
}
