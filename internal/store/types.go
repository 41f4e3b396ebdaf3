package store

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// The types of the alert store's query surface, shared by the store, the
// HTTP API, the CLI and the outputs. Method set (on *Store):
//
//	Alerts(ctx, AlertFilter) (AlertPage, error)
//	CountAlerts(ctx, AlertFilter) (AlertCounts, error)
//	Alert(ctx, id string) (StoredAlert, error)                 // ErrNotFound
//	UpdateTriage(ctx, id, actor string, u TriageUpdate) (StoredAlert, error)
//	History(ctx, id string) ([]HistoryEntry, error)
//	AddComment(ctx, id, author, text string) (Comment, error)
//	Comments(ctx, id string) ([]Comment, error)
//	Incidents(ctx, IncidentFilter) (IncidentPage, error)
//	Incident(ctx, id string) (Incident, error)                 // ErrNotFound
//	UpdateIncident(ctx, id, actor string, u TriageUpdate) (Incident, error)
//	Rules(ctx) ([]Rule, error)
//	AddRule(ctx, Rule) (Rule, error)
//	DeleteRule(ctx, id int64, actor string) error              // ErrNotFound
//	SimulateRule(ctx, Rule) ([]StoredAlert, error)
//	SettingOverrides(ctx) ([]SettingOverride, error)
//	PutSetting(ctx, SettingOverride) error
//	DeleteSetting(ctx, tenant, subscription, detection, actor string) error
//	AddAudit(ctx, AuditEntry) error
//	AuditLog(ctx, limit int) ([]AuditEntry, error)
//	OutboxAfter / Cursor / SetCursor / AddDeadLetter / DeadLetters (see outbox docs)

// ErrNotFound is returned when an alert, incident, rule or setting does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrInvalid wraps a request the store refuses (bad status, bad cursor, bad CIDR).
var ErrInvalid = errors.New("store: invalid")

// AlertFilter selects stored alerts. Zero fields match everything; the
// values of one slice are alternatives (OR), different fields all apply (AND).
type AlertFilter struct {
	Since, Until    time.Time // event time, Since inclusive, Until exclusive
	Detections      []string
	Severities      []event.Severity
	Statuses        []event.Status
	Classifications []event.Classification
	Tenants         []string
	Subscriptions   []string
	Principal       string // exact, case-insensitive
	Host            string // a host entity's ID
	IP              string // an IP entity or evidence IP
	Incident        string
	Text            string // free text over principal, IPs and hosts (substring, case-insensitive)
	Sort            string // "-time" (default), "time", "-severity", "severity"
	Limit           int    // page size; the API caps it at 500
	Cursor          string // opaque, from AlertPage.Next
}

// StoredAlert is an alert as stored: what the detection raised, plus triage.
type StoredAlert struct {
	event.Alert
	Triage event.Triage `json:"triage"`
}

// AlertPage is one page of alerts; Next is empty on the last page.
type AlertPage struct {
	Alerts []StoredAlert `json:"alerts"`
	Next   string        `json:"next_cursor"`
}

// AlertCounts are totals over a filter.
type AlertCounts struct {
	Total       int            `json:"total"`
	ByDetection map[string]int `json:"by_detection"`
	BySeverity  map[string]int `json:"by_severity"`
	ByStatus    map[string]int `json:"by_status"`
}

// TriageUpdate changes the fields that are set.
type TriageUpdate struct {
	Status         *event.Status         `json:"status,omitempty"`
	Classification *event.Classification `json:"classification,omitempty"`
	Assignee       *string               `json:"assignee,omitempty"`
}

// HistoryEntry is one triage change of an alert or incident: who, when, what.
type HistoryEntry struct {
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
	Field string    `json:"field"`
	Old   string    `json:"old"`
	New   string    `json:"new"`
}

// Comment is an analyst's note on an alert.
type Comment struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
}

// Incident groups alerts on the same principal or host within a window.
// Its ID is deterministic: derived from its first alert.
type Incident struct {
	ID             string               `json:"id"`
	Title          string               `json:"title"`
	Severity       event.Severity       `json:"severity"`
	Status         event.Status         `json:"status"`
	Classification event.Classification `json:"classification,omitempty"`
	Assignee       string               `json:"assignee,omitempty"`
	Tenant         string               `json:"tenant"`
	Principal      string               `json:"principal,omitempty"`
	Host           string               `json:"host,omitempty"`
	FirstSeen      time.Time            `json:"first_seen"`
	LastSeen       time.Time            `json:"last_seen"`
	AlertCount     int                  `json:"alert_count"`
	AlertIDs       []string             `json:"alert_ids"`
	Detections     []string             `json:"detections"`
	Entities       []event.Entity       `json:"entities"`
}

// IncidentFilter selects incidents (by last_seen for the time range).
type IncidentFilter struct {
	Statuses     []event.Status
	Since, Until time.Time
	Limit        int
	Cursor       string
}

// IncidentPage is one page of incidents.
type IncidentPage struct {
	Incidents []Incident `json:"incidents"`
	Next      string     `json:"next_cursor"`
}

// RuleMatch is what a suppression rule matches; empty fields match anything,
// at least one must be set. IP is an address or a CIDR.
type RuleMatch struct {
	Detection    string `json:"detection,omitempty"`
	Principal    string `json:"principal,omitempty"`
	IP           string `json:"ip,omitempty"`
	Country      string `json:"country,omitempty"`
	App          string `json:"app,omitempty"`
	Tenant       string `json:"tenant,omitempty"`
	Subscription string `json:"subscription,omitempty"`
	Host         string `json:"host,omitempty"`
}

// Rule is a suppression rule: matching alerts are still stored, dismissed,
// with Triage.SuppressedBy naming the rule.
type Rule struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Reason    string     `json:"reason"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	Match     RuleMatch  `json:"match"`
}

// SettingOverride is a detection setting changed at run time (through the
// API), layered over the configuration file. Subscription "*" means the
// whole tenant; Tenant "*" every tenant.
type SettingOverride struct {
	Tenant       string         `json:"tenant"`
	Subscription string         `json:"subscription"`
	Detection    string         `json:"detection"`
	Enabled      *bool          `json:"enabled,omitempty"`
	Params       map[string]any `json:"params,omitempty"`
	UpdatedBy    string         `json:"updated_by"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

// AuditEntry is one change made through the API or CLI.
type AuditEntry struct {
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"` // e.g. "alert.triage", "rule.create", "setting.put"
	Target string          `json:"target"`
	Detail json.RawMessage `json:"detail,omitempty"`
}

// DeadLetter is a change an output gave up delivering.
type DeadLetter struct {
	Output   string       `json:"output"`
	Change   event.Change `json:"change"`
	Attempts int          `json:"attempts"`
	Reason   string       `json:"reason"`
	At       time.Time    `json:"at"`
}
