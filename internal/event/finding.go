package event

import "time"

// Status is where an alert or incident stands in triage.
type Status string

// Triage statuses. Every alert starts New.
const (
	StatusNew       Status = "new"
	StatusActive    Status = "active"
	StatusResolved  Status = "resolved"
	StatusDismissed Status = "dismissed"
)

// Classification is the analyst's verdict on an alert.
type Classification string

// Classifications; empty means not classified yet.
const (
	TruePositive   Classification = "true_positive"
	BenignPositive Classification = "benign_positive"
	FalsePositive  Classification = "false_positive"
)

// Triage is the mutable part of a stored alert: what people decided about it.
// Re-raising an alert (same deterministic ID) never resets it.
type Triage struct {
	Status         Status         `json:"status"`
	Classification Classification `json:"classification,omitempty"`
	Assignee       string         `json:"assignee,omitempty"`
	Incident       string         `json:"incident_id,omitempty"`
	// SuppressedBy names the suppression rule that dismissed the alert.
	SuppressedBy string    `json:"suppressed_by,omitempty"`
	UpdatedBy    string    `json:"updated_by,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// ChangeKind says what a finding change is, for outputs that distinguish a
// new finding from an update of one they already have (OCSF type_uid).
type ChangeKind string

// Change kinds.
const (
	ChangeCreated ChangeKind = "created" // the alert was stored for the first time
	ChangeUpdated ChangeKind = "updated" // triage, incident or suppression changed
	ChangeClosed  ChangeKind = "closed"  // status moved to resolved or dismissed
)

// Change is one entry of the store's outbox: an alert as it stands after a
// change. Seq increases strictly in the order changes were committed, so an
// output keeps a cursor (the last Seq it delivered) and resumes after it.
// Receivers drop duplicates by (Alert.ID, Seq).
type Change struct {
	Seq    int64      `json:"seq"`
	Kind   ChangeKind `json:"kind"`
	At     time.Time  `json:"at"` // wall-clock time the change was committed
	Alert  Alert      `json:"alert"`
	Triage Triage     `json:"triage"`
}
