package ocsf

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
)

// Metadata is the OCSF metadata object.
type Metadata struct {
	UID            string  `json:"uid"`
	Version        string  `json:"version"`
	Product        Product `json:"product"`
	TenantUID      string  `json:"tenant_uid,omitempty"`
	CorrelationUID string  `json:"correlation_uid,omitempty"`
	Sequence       int64   `json:"sequence"`
	LogName        string  `json:"log_name"`
}

// Product names Vedette as the finding's producer.
type Product struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
}

// FindingInfo identifies the finding: its uid is the alert's ID.
type FindingInfo struct {
	UID           string   `json:"uid"`
	Title         string   `json:"title"`
	Desc          string   `json:"desc,omitempty"`
	Types         []string `json:"types,omitempty"`
	Analytic      Analytic `json:"analytic"`
	Attacks       []Attack `json:"attacks,omitempty"`
	FirstSeenTime int64    `json:"first_seen_time"`
	LastSeenTime  int64    `json:"last_seen_time"`
	DataSources   []string `json:"data_sources,omitempty"`
}

// Analytic is the detection that raised the alert (type Rule).
type Analytic struct {
	UID    string `json:"uid"`
	Name   string `json:"name"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
}

// Attack is one ATT&CK tactic and technique.
type Attack struct {
	Tactic       *Entity `json:"tactic,omitempty"`
	Technique    *Entity `json:"technique,omitempty"`
	SubTechnique *Entity `json:"sub_technique,omitempty"`
}

// Entity is an OCSF object with a name and uid (tactic, technique).
type Entity struct {
	UID  string `json:"uid,omitempty"`
	Name string `json:"name,omitempty"`
}

// Evidence is one event behind the alert.
type Evidence struct {
	UID         string         `json:"uid"`
	Name        string         `json:"name,omitempty"`
	Actor       *Actor         `json:"actor,omitempty"`
	API         *API           `json:"api,omitempty"`
	SrcEndpoint *Endpoint      `json:"src_endpoint,omitempty"`
	Data        map[string]any `json:"data,omitempty"`
}

// Actor holds the user who acted.
type Actor struct {
	User User `json:"user"`
}

// User is an OCSF user.
type User struct {
	Name string `json:"name"`
}

// API is the operation performed.
type API struct {
	Operation string `json:"operation"`
}

// Endpoint is a network endpoint: an IP and where it is.
type Endpoint struct {
	IP       string    `json:"ip"`
	Location *Location `json:"location,omitempty"`
}

// Location is an OCSF geo location.
type Location struct {
	Country string   `json:"country,omitempty"`
	City    string   `json:"city,omitempty"`
	Lat     *float64 `json:"lat,omitempty"`
	Long    *float64 `json:"long,omitempty"`
}

// Resource is an affected resource: a subscription, host or Azure resource.
type Resource struct {
	UID  string `json:"uid"`
	Name string `json:"name,omitempty"`
	Type string `json:"type"`
}

// Observable is one indicator a SIEM can pivot on.
type Observable struct {
	Name   string `json:"name"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
	Value  string `json:"value"`
}

// Remediation is the alert's remediation steps, one per line.
type Remediation struct {
	Desc string `json:"desc"`
}

// Unmapped carries what OCSF has no attribute for: the confidence factors
// and the analyst's triage beyond the status.
type Unmapped struct {
	Factors        []event.Factor `json:"factors,omitempty"`
	Classification string         `json:"classification,omitempty"`
	Assignee       string         `json:"assignee,omitempty"`
	SuppressedBy   string         `json:"suppressed_by,omitempty"`
	Tenant         string         `json:"tenant,omitempty"`
	Subscription   string         `json:"subscription,omitempty"`
}

func metadata(c event.Change) Metadata {
	return Metadata{
		UID:       fmt.Sprintf("%s-%d", c.Alert.ID, c.Seq),
		Version:   SchemaVersion,
		Product:   Product{Name: "Vedette", VendorName: "Vedette"},
		TenantUID: c.Alert.Tenant, CorrelationUID: c.Triage.Incident,
		Sequence: c.Seq, LogName: "alerts",
	}
}

func findingInfo(a *event.Alert, first, last int64) FindingInfo {
	fi := FindingInfo{
		UID: a.ID, Title: a.Name, Desc: a.Description,
		Analytic:      Analytic{UID: a.Detection, Name: a.Name, TypeID: 1, Type: "Rule"},
		FirstSeenTime: first, LastSeenTime: last,
	}
	if a.AlertType != "" {
		fi.Types = []string{a.AlertType}
	}
	if at, ok := attack(a.MITRE); ok {
		fi.Attacks = []Attack{at}
	}
	seen := map[string]bool{}
	for _, e := range a.Evidence {
		if e.Source != "" && !seen[e.Source] {
			seen[e.Source] = true
			fi.DataSources = append(fi.DataSources, e.Source)
		}
	}
	return fi
}

// attack splits "T1078.004" / "Valid Accounts: Cloud Accounts" into the
// technique and its sub-technique, as OCSF wants them.
func attack(m event.MITRE) (Attack, bool) {
	var at Attack
	if m.Tactic != "" {
		at.Tactic = &Entity{UID: format.TacticID(m.Tactic), Name: m.Tactic}
	}
	if m.TechniqueID != "" || m.Technique != "" {
		id, sub, isSub := strings.Cut(m.TechniqueID, ".")
		name, subName, _ := strings.Cut(m.Technique, ": ")
		at.Technique = &Entity{UID: id, Name: name}
		if isSub {
			at.SubTechnique = &Entity{UID: id + "." + sub, Name: subName}
		}
	}
	return at, at.Tactic != nil || at.Technique != nil
}

func evidences(a *event.Alert) []Evidence {
	out := make([]Evidence, 0, len(a.Evidence))
	for _, e := range a.Evidence {
		ev := Evidence{UID: e.Key, Name: e.Operation, Data: map[string]any{
			"time": e.Time, "source": e.Source, "record": e.Record, "result": e.Result,
		}}
		for k, v := range map[string]string{"app": e.App, "user_agent": e.UserAgent, "resource": e.Resource} {
			if v != "" {
				ev.Data[k] = v
			}
		}
		if e.Principal != "" {
			ev.Actor = &Actor{User: User{Name: e.Principal}}
		}
		if e.Operation != "" {
			ev.API = &API{Operation: e.Operation}
		}
		if e.IP != "" {
			ev.SrcEndpoint = &Endpoint{IP: e.IP, Location: location(e.Location)}
		}
		out = append(out, ev)
	}
	return out
}

func location(l *event.Location) *Location {
	if l == nil || !l.Known() {
		return nil
	}
	loc := &Location{Country: l.Country, City: l.City}
	if l.HasCoord {
		lat, lon := l.Lat, l.Lon
		loc.Lat, loc.Long = &lat, &lon
	}
	return loc
}

// resources lists what was acted on: subscriptions, hosts, Azure resources.
func resources(a *event.Alert) []Resource {
	var out []Resource
	for _, e := range a.Entities {
		switch e.Type {
		case "subscription", "host", "resource", "tenant":
			out = append(out, Resource{UID: e.ID, Type: e.Type})
		}
	}
	return out
}

// observables: type IDs are OCSF's (1 Hostname, 2 IP Address, 4 User Name).
func observables(a *event.Alert) []Observable {
	var out []Observable
	for _, e := range a.Entities {
		switch e.Type {
		case "principal":
			out = append(out, Observable{Name: "evidences.actor.user.name", TypeID: 4, Type: "User Name", Value: e.ID})
		case "ip":
			if _, err := netip.ParseAddr(e.ID); err == nil {
				out = append(out, Observable{Name: "evidences.src_endpoint.ip", TypeID: 2, Type: "IP Address", Value: e.ID})
			}
		case "host":
			out = append(out, Observable{Name: "resources.uid", TypeID: 1, Type: "Hostname", Value: e.ID})
		}
	}
	return out
}

func unmapped(c event.Change) *Unmapped {
	return &Unmapped{
		Factors: c.Alert.Factors, Classification: string(c.Triage.Classification),
		Assignee: c.Triage.Assignee, SuppressedBy: c.Triage.SuppressedBy,
		Tenant: c.Alert.Tenant, Subscription: c.Alert.Subscription,
	}
}
