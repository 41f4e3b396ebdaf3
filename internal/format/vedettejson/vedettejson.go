// Package vedettejson renders a finding change in Vedette's own JSON: the
// alert as `vedette detect` has always printed it (docs/ALERTS.md), plus its
// triage and the change that produced this record.
package vedettejson

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// Change says which outbox change a record is; receivers drop duplicates by
// (id, change.seq).
type Change struct {
	Seq  int64            `json:"seq"`
	Kind event.ChangeKind `json:"kind"`
	At   time.Time        `json:"at"`
}

type record struct {
	event.Alert
	Triage event.Triage `json:"triage"`
	Change Change       `json:"change"`
}

// Format renders c as one JSON object.
func Format(c event.Change) ([]byte, error) {
	b, err := json.Marshal(record{Alert: c.Alert, Triage: c.Triage, Change: Change{c.Seq, c.Kind, c.At}})
	if err != nil {
		return nil, fmt.Errorf("vedettejson: alert %s: %w", c.Alert.ID, err)
	}
	return b, nil
}
