// Package ocsf renders a finding change as an OCSF Detection Finding (class
// 2004, schema 1.8.0): a new alert is activity Create, a triage or incident
// change Update, a resolved or dismissed alert Close, all with the alert's ID
// as finding_info.uid so a SIEM keeps one finding per alert. The test checks
// every record against the schema's own definitions, vendored in testdata.
package ocsf

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
)

// SchemaVersion is the OCSF version the findings declare in metadata.version.
const SchemaVersion = "1.8.0"

// Class and category of a Detection Finding.
const (
	CategoryUID = 2
	ClassUID    = 2004
)

// activity of a change: OCSF finding activity IDs.
var activities = map[event.ChangeKind]struct {
	id   int
	name string
}{
	event.ChangeCreated: {1, "Create"},
	event.ChangeUpdated: {2, "Update"},
	event.ChangeClosed:  {3, "Close"},
}

// Finding is the Detection Finding record; field names are OCSF attributes.
type Finding struct {
	ActivityID      int          `json:"activity_id"`
	ActivityName    string       `json:"activity_name"`
	CategoryUID     int          `json:"category_uid"`
	CategoryName    string       `json:"category_name"`
	ClassUID        int          `json:"class_uid"`
	ClassName       string       `json:"class_name"`
	TypeUID         int          `json:"type_uid"`
	TypeName        string       `json:"type_name"`
	Time            int64        `json:"time"`
	StartTime       int64        `json:"start_time"`
	EndTime         int64        `json:"end_time"`
	Message         string       `json:"message"`
	SeverityID      int          `json:"severity_id"`
	Severity        string       `json:"severity"`
	ConfidenceID    int          `json:"confidence_id"`
	Confidence      string       `json:"confidence"`
	ConfidenceScore int          `json:"confidence_score"`
	StatusID        int          `json:"status_id"`
	Status          string       `json:"status"`
	IsAlert         bool         `json:"is_alert"`
	Metadata        Metadata     `json:"metadata"`
	FindingInfo     FindingInfo  `json:"finding_info"`
	Evidences       []Evidence   `json:"evidences,omitempty"`
	Resources       []Resource   `json:"resources,omitempty"`
	Observables     []Observable `json:"observables,omitempty"`
	Remediation     *Remediation `json:"remediation,omitempty"`
	Unmapped        *Unmapped    `json:"unmapped,omitempty"`
}

// Format renders c as one Detection Finding JSON object.
func Format(c event.Change) ([]byte, error) {
	b, err := json.Marshal(New(c))
	if err != nil {
		return nil, fmt.Errorf("ocsf: alert %s: %w", c.Alert.ID, err)
	}
	return b, nil
}

// New maps c to a Detection Finding.
func New(c event.Change) Finding {
	a := &c.Alert
	act, ok := activities[c.Kind]
	if !ok {
		act = activities[event.ChangeUpdated]
	}
	first, last := format.Span(a)
	sevID, sev := severity(a.Severity)
	confID, conf := confidence(a.Confidence)
	statusID, status := findingStatus(c.Triage.Status)
	f := Finding{
		ActivityID: act.id, ActivityName: act.name,
		CategoryUID: CategoryUID, CategoryName: "Findings",
		ClassUID: ClassUID, ClassName: "Detection Finding",
		TypeUID: ClassUID*100 + act.id, TypeName: "Detection Finding: " + act.name,
		Time: c.At.UnixMilli(), StartTime: first.UnixMilli(), EndTime: last.UnixMilli(),
		Message:    a.Description,
		SeverityID: sevID, Severity: sev,
		ConfidenceID: confID, Confidence: conf,
		ConfidenceScore: int(math.Round(a.Confidence * 100)),
		StatusID:        statusID, Status: status,
		IsAlert:     c.Kind != event.ChangeClosed,
		Metadata:    metadata(c),
		FindingInfo: findingInfo(a, first.UnixMilli(), last.UnixMilli()),
		Evidences:   evidences(a),
		Resources:   resources(a),
		Observables: observables(a),
		Unmapped:    unmapped(c),
	}
	if len(a.Remediation) > 0 {
		f.Remediation = &Remediation{Desc: strings.Join(a.Remediation, "\n")}
	}
	return f
}

func severity(s event.Severity) (int, string) {
	switch s {
	case event.SeverityLow:
		return 2, "Low"
	case event.SeverityMedium:
		return 3, "Medium"
	case event.SeverityHigh:
		return 4, "High"
	}
	return 0, "Unknown"
}

// confidence buckets the alert's [0, 1] confidence as OCSF confidence_id.
func confidence(v float64) (int, string) {
	switch {
	case v >= 0.7:
		return 3, "High"
	case v >= 0.4:
		return 2, "Medium"
	}
	return 1, "Low"
}

// findingStatus maps triage to the finding lifecycle: a dismissed alert was
// reviewed and judged benign or false, which OCSF calls Suppressed.
func findingStatus(s event.Status) (int, string) {
	switch s {
	case event.StatusActive:
		return 2, "In Progress"
	case event.StatusDismissed:
		return 3, "Suppressed"
	case event.StatusResolved:
		return 4, "Resolved"
	}
	return 1, "New"
}
