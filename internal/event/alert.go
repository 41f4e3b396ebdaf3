package event

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Severity of an alert, as Defender for Cloud names them.
type Severity string

// Severities.
const (
	SeverityLow    Severity = "Low"
	SeverityMedium Severity = "Medium"
	SeverityHigh   Severity = "High"
)

// MITRE is an ATT&CK tactic and technique.
type MITRE struct {
	Tactic      string `json:"tactic"`
	Technique   string `json:"technique"`
	TechniqueID string `json:"technique_id"`
}

// Factor is one reason behind an alert's confidence. Weight is the factor's
// contribution in [-1, 1]: positive raises confidence, negative lowers it.
type Factor struct {
	Name   string  `json:"name"`
	Weight float64 `json:"weight"`
	Detail string  `json:"detail,omitempty"`
}

// Entity is something an alert is about: a principal, an IP, a location, a
// subscription, a host.
type Entity struct {
	Type string `json:"type"` // "principal", "ip", "location", "subscription", "tenant", "host"
	ID   string `json:"id"`
	Role string `json:"role,omitempty"` // e.g. "previous", "current"
	// Location is set for "ip" and "location" entities.
	Location *Location `json:"location,omitempty"`
	// Network is set for "ip" entities whose AS is known.
	Network *Network `json:"network,omitempty"`
}

// SuppressionCheck is one reason a detection could have stayed quiet,
// checked for an alert: its name, whether it applied (it then lowered the
// confidence instead of silencing the alert) and why it did or did not.
type SuppressionCheck struct {
	Name    string `json:"name"`
	Applied bool   `json:"applied"`
	Why     string `json:"why"`
}

// Evidence is one event behind an alert, enough to find it again in the logs.
type Evidence struct {
	Key       string    `json:"key"`
	Time      time.Time `json:"time"`
	Source    string    `json:"source"`
	Record    int       `json:"record"`
	Principal string    `json:"principal"`
	IP        string    `json:"ip,omitempty"`
	Location  *Location `json:"location,omitempty"`
	Network   *Network  `json:"network,omitempty"`
	Operation string    `json:"operation"`
	Result    string    `json:"result"`
	App       string    `json:"app,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
	Resource  string    `json:"resource,omitempty"`
}

// Alert is what a detection raises. Its ID is derived from the detection and
// the evidence keys, so replaying the same logs gives the same IDs.
type Alert struct {
	ID           string     `json:"id"`
	Detection    string     `json:"detection"` // stable kebab-case detection ID
	Name         string     `json:"name"`      // as users know it
	AlertType    string     `json:"alert_type,omitempty"`
	Severity     Severity   `json:"severity"`
	Confidence   float64    `json:"confidence"`
	Factors      []Factor   `json:"factors"`
	MITRE        MITRE      `json:"mitre"`
	Time         time.Time  `json:"time"` // event time of the triggering activity
	Tenant       string     `json:"tenant"`
	Subscription string     `json:"subscription,omitempty"`
	Principal    string     `json:"principal"`
	Entities     []Entity   `json:"entities"`
	Evidence     []Evidence `json:"evidence"`
	Description  string     `json:"description"`
	Remediation  []string   `json:"remediation"`
	// SuppressionsChecked lists, for detections that have suppressions,
	// each one checked and why it did not silence this alert.
	SuppressionsChecked []SuppressionCheck `json:"suppressions_checked,omitempty"`
}

// AlertID derives a deterministic alert ID from the detection, the tenant,
// the principal and the keys of the events that triggered it.
func AlertID(detection, tenant, principal string, keys ...string) string {
	h := sha256.New()
	h.Write([]byte(detection))
	for _, s := range append([]string{tenant, principal}, keys...) {
		h.Write([]byte{0})
		h.Write([]byte(strings.ToLower(s)))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// NewEvidence describes e as evidence.
func NewEvidence(e *Event) Evidence {
	ev := Evidence{
		Key: e.Key, Time: e.Time, Source: e.Origin.Source, Record: e.Origin.Record,
		Principal: e.Principal, Operation: e.Operation, Result: e.Result.String(),
		UserAgent: e.UserAgent, Resource: e.Resource,
	}
	if e.SourceIP.IsValid() {
		ev.IP = e.SourceIP.String()
	}
	if e.Location.Known() {
		loc := e.Location
		ev.Location = &loc
	}
	if e.Network.Known() {
		n := e.Network
		ev.Network = &n
	}
	ev.App = e.AppName
	if ev.App == "" {
		ev.App = e.AppID
	}
	return ev
}
