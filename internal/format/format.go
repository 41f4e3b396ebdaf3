// Package format holds what the finding formats share: the time span of an
// alert's evidence, ATT&CK tactic identifiers and the test fixtures. Each
// format is its own package (vedettejson, ocsf, sentinel, cef) with one pure
// function from an event.Change to bytes.
package format

import (
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// Func renders one change as one record (no trailing newline).
type Func func(event.Change) ([]byte, error)

// Span returns the times of the earliest and latest evidence of a, or the
// alert's time for both when it carries no evidence.
func Span(a *event.Alert) (first, last time.Time) {
	first, last = a.Time, a.Time
	for i, e := range a.Evidence {
		if e.Time.IsZero() {
			continue
		}
		if i == 0 || e.Time.Before(first) {
			first = e.Time
		}
		if i == 0 || e.Time.After(last) {
			last = e.Time
		}
	}
	return first, last
}

// tactics maps ATT&CK Enterprise tactic names (as detections spell them) to
// their identifiers.
var tactics = map[string]string{
	"reconnaissance":       "TA0043",
	"resource development": "TA0042",
	"initial access":       "TA0001",
	"execution":            "TA0002",
	"persistence":          "TA0003",
	"privilege escalation": "TA0004",
	"defense evasion":      "TA0005",
	"credential access":    "TA0006",
	"discovery":            "TA0007",
	"lateral movement":     "TA0008",
	"collection":           "TA0009",
	"command and control":  "TA0011",
	"exfiltration":         "TA0010",
	"impact":               "TA0040",
}

// TacticID returns the ATT&CK identifier of a tactic name ("Initial Access"
// -> "TA0001"), or "" when the name is not an Enterprise tactic.
func TacticID(name string) string {
	return tactics[strings.ToLower(strings.TrimSpace(name))]
}

// Entities returns the IDs of a's entities of type typ, in order.
func Entities(a *event.Alert, typ string) []string {
	var ids []string
	for _, e := range a.Entities {
		if e.Type == typ {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// Subject is what the alert is about, for formats with one "compromised
// entity" field: the principal, else the first host, else the tenant.
func Subject(a *event.Alert) string {
	if a.Principal != "" {
		return a.Principal
	}
	if hosts := Entities(a, "host"); len(hosts) > 0 {
		return hosts[0]
	}
	return a.Tenant
}
