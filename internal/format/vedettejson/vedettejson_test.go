package vedettejson

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format/formattest"
)

func TestFormatGolden(t *testing.T) {
	t.Parallel()
	formattest.GoldenJSON(t, Format)
}

// A consumer of the old alert lines keeps working: the record decodes into
// the same event.Alert, and the triage and change come back too.
func TestFormatKeepsAlertSchema(t *testing.T) {
	t.Parallel()
	for _, c := range formattest.Changes(t) {
		b, err := Format(c)
		if err != nil {
			t.Fatal(err)
		}
		var a event.Alert
		if err := json.Unmarshal(b, &a); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c.Alert, a); diff != "" {
			t.Errorf("seq %d alert (-want +got):\n%s", c.Seq, diff)
		}
		var r record
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		if r.Triage != c.Triage || r.Change.Seq != c.Seq || r.Change.Kind != c.Kind || !r.Change.At.Equal(c.At) {
			t.Errorf("seq %d: triage/change not carried: %+v %+v", c.Seq, r.Triage, r.Change)
		}
	}
}
