// Package sentinel renders a finding change as a record shaped like
// Microsoft Sentinel's SecurityAlert table, for the Logs Ingestion API or a
// custom table: the column names and values of SecurityAlert, with Entities
// in Sentinel's entity schema ("$id", "Type" and the type's own fields).
// Entities, ExtendedProperties, Techniques and RemediationSteps are JSON
// values (dynamic columns); SecurityAlert itself stores them as JSON text.
package sentinel

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
)

// Alert is one SecurityAlert-shaped record.
type Alert struct {
	TimeGenerated      time.Time         `json:"TimeGenerated"`
	AlertName          string            `json:"AlertName"`
	DisplayName        string            `json:"DisplayName"`
	AlertType          string            `json:"AlertType"`
	Severity           string            `json:"AlertSeverity"`
	Description        string            `json:"Description"`
	ProviderName       string            `json:"ProviderName"`
	VendorName         string            `json:"VendorName"`
	ProductName        string            `json:"ProductName"`
	SystemAlertID      string            `json:"SystemAlertId"`
	VendorOriginalID   string            `json:"VendorOriginalId"`
	ConfidenceScore    float64           `json:"ConfidenceScore"`
	ConfidenceLevel    string            `json:"ConfidenceLevel"`
	Status             string            `json:"Status"`
	CompromisedEntity  string            `json:"CompromisedEntity"`
	StartTime          time.Time         `json:"StartTime"`
	EndTime            time.Time         `json:"EndTime"`
	Tactics            string            `json:"Tactics"`
	Techniques         []string          `json:"Techniques"`
	SubTechniques      []string          `json:"SubTechniques"`
	Entities           []map[string]any  `json:"Entities"`
	ExtendedProperties map[string]string `json:"ExtendedProperties"`
	RemediationSteps   []string          `json:"RemediationSteps"`
}

// Format renders c as one JSON object.
func Format(c event.Change) ([]byte, error) {
	b, err := json.Marshal(New(c))
	if err != nil {
		return nil, fmt.Errorf("sentinel: alert %s: %w", c.Alert.ID, err)
	}
	return b, nil
}

// New maps c to a SecurityAlert-shaped record.
func New(c event.Change) Alert {
	a := &c.Alert
	first, last := format.Span(a)
	alertType := a.AlertType
	if alertType == "" {
		alertType = a.Detection
	}
	r := Alert{
		TimeGenerated: c.At.UTC(), AlertName: a.Name, DisplayName: a.Name, AlertType: alertType,
		Severity: string(a.Severity), Description: a.Description,
		ProviderName: "Vedette", VendorName: "Vedette", ProductName: "Vedette",
		SystemAlertID: a.ID, VendorOriginalID: a.ID,
		ConfidenceScore: math.Round(a.Confidence*100) / 100, ConfidenceLevel: level(a.Confidence),
		Status: status(c.Triage.Status), CompromisedEntity: format.Subject(a),
		StartTime: first.UTC(), EndTime: last.UTC(),
		Tactics:            strings.ReplaceAll(a.MITRE.Tactic, " ", ""),
		Techniques:         techniques(a.MITRE.TechniqueID),
		SubTechniques:      subTechniques(a.MITRE.TechniqueID),
		Entities:           entities(a),
		ExtendedProperties: extended(c),
		RemediationSteps:   a.Remediation,
	}
	if r.Severity == "" {
		r.Severity = "Informational"
	}
	return r
}

// techniques lists the technique and, for a sub-technique, its parent, as
// Sentinel's Techniques column holds parents ("T1078") beside SubTechniques.
func techniques(id string) []string {
	if id == "" {
		return []string{}
	}
	parent, _, _ := strings.Cut(id, ".")
	return []string{parent}
}

func subTechniques(id string) []string {
	if !strings.Contains(id, ".") {
		return []string{}
	}
	return []string{id}
}

func level(v float64) string {
	switch {
	case v >= 0.7:
		return "High"
	case v >= 0.4:
		return "Medium"
	}
	return "Low"
}

// status maps triage to SecurityAlert's Status values.
func status(s event.Status) string {
	switch s {
	case event.StatusActive:
		return "InProgress"
	case event.StatusResolved:
		return "Resolved"
	case event.StatusDismissed:
		return "Dismissed"
	}
	return "New"
}

func extended(c event.Change) map[string]string {
	a := &c.Alert
	m := map[string]string{
		"Detection": a.Detection, "AadTenantId": a.Tenant, "Change": string(c.Kind),
		"Sequence": strconv.FormatInt(c.Seq, 10), "Technique": a.MITRE.Technique,
	}
	opt := map[string]string{
		"SubscriptionId": a.Subscription, "Classification": string(c.Triage.Classification),
		"Assignee": c.Triage.Assignee, "IncidentId": c.Triage.Incident, "SuppressedBy": c.Triage.SuppressedBy,
	}
	for k, v := range opt {
		if v != "" {
			m[k] = v
		}
	}
	for _, f := range a.Factors {
		m["Factor:"+f.Name] = strings.TrimSpace(strconv.FormatFloat(f.Weight, 'f', -1, 64) + " " + f.Detail)
	}
	return m
}

// entities converts Vedette entities to Sentinel's entity schema; "$id"
// numbers them from 1 in order, as Sentinel does.
func entities(a *event.Alert) []map[string]any {
	out := []map[string]any{}
	add := func(m map[string]any) {
		m["$id"] = strconv.Itoa(len(out) + 1)
		out = append(out, m)
	}
	for _, e := range a.Entities {
		switch e.Type {
		case "principal":
			name, suffix, _ := strings.Cut(e.ID, "@")
			m := map[string]any{"Type": "account", "Name": name, "AadTenantId": a.Tenant}
			if suffix != "" {
				m["UPNSuffix"] = suffix
			}
			add(m)
		case "ip":
			m := map[string]any{"Type": "ip", "Address": e.ID}
			if l := e.Location; l != nil && l.Known() {
				loc := map[string]any{"CountryCode": l.Country}
				if l.City != "" {
					loc["City"] = l.City
				}
				if l.HasCoord {
					loc["Latitude"], loc["Longitude"] = l.Lat, l.Lon
				}
				m["Location"] = loc
			}
			add(m)
		case "host":
			add(map[string]any{"Type": "host", "HostName": e.ID})
		case "subscription":
			add(map[string]any{"Type": "azure-resource", "ResourceId": "/subscriptions/" + e.ID})
		case "resource":
			add(map[string]any{"Type": "azure-resource", "ResourceId": e.ID})
		}
	}
	return out
}
