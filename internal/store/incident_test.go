package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/pipeline"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

var update = flag.Bool("update", false, "rewrite the incidents.json golden sections")

// replay runs a case's events through the real activity pipeline with
// the default configuration and returns the alerts.
func replay(t *testing.T, data []byte) []event.Alert {
	t.Helper()
	cfg := config.Default()
	p := pipeline.New(pipeline.Options{TrustRecordLocation: true}, baseline.New(cfg.Baseline), pipeline.Deps{Scoper: cfg.Scopes()})
	var alerts []event.Alert
	for _, e := range storetest.Events(t, data) {
		alerts = append(alerts, p.Process(e)...)
	}
	return alerts
}

// incidentSummary is what the goldens pin of an incident.
type incidentSummary struct {
	ID         string         `json:"id"`
	Title      string         `json:"title"`
	Principal  string         `json:"principal,omitempty"`
	Host       string         `json:"host,omitempty"`
	Severity   event.Severity `json:"severity"`
	Status     event.Status   `json:"status"`
	FirstSeen  time.Time      `json:"first_seen"`
	LastSeen   time.Time      `json:"last_seen"`
	Detections []string       `json:"detections"`
	Alerts     int            `json:"alerts"`
	Entities   []string       `json:"entities"`
}

func summarize(inc store.Incident) incidentSummary {
	s := incidentSummary{ID: inc.ID, Title: inc.Title, Principal: inc.Principal, Host: inc.Host, Severity: inc.Severity,
		Status: inc.Status, FirstSeen: inc.FirstSeen, LastSeen: inc.LastSeen, Detections: inc.Detections, Alerts: inc.AlertCount}
	for _, e := range inc.Entities {
		s.Entities = append(s.Entities, e.Type+":"+e.ID)
	}
	return s
}

func allIncidents(t *testing.T, s *store.Store) []store.Incident {
	t.Helper()
	p, err := s.Incidents(context.Background(), store.IncidentFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return p.Incidents
}

// TestIncidentGolden: erin's stolen session raises three detections'
// alerts, which form one incident; farid's own alert another.
func TestIncidentGolden(t *testing.T) {
	const file = "testdata/erin-incident.txtar"
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	alerts := replay(t, ar.Files[0].Data)
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		s := open(store.Options{})
		if _, err := s.Insert(context.Background(), alerts); err != nil {
			t.Fatal(err)
		}
		var got []incidentSummary
		for _, inc := range allIncidents(t, s) {
			got = append(got, summarize(inc))
			if len(inc.AlertIDs) != inc.AlertCount {
				t.Errorf("%s: %d alert IDs, count %d", inc.ID, len(inc.AlertIDs), inc.AlertCount)
			}
		}
		if *update {
			b, _ := json.MarshalIndent(got, "", "  ")
			if len(ar.Files) < 2 {
				ar.Files = append(ar.Files, txtar.File{Name: "incidents.json"})
			}
			ar.Files[1].Data = append(b, '\n')
			os.WriteFile(file, txtar.Format(ar), 0o644)
			return
		}
		var want []incidentSummary
		if err := json.Unmarshal(ar.Files[1].Data, &want); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("incidents (-want +got)\n%s", d)
		}
	})
}

// TestIncidentTriageRollsUp: an incident's status follows its alerts',
// and triaging the incident triages each alert, with history.
func TestIncidentTriageRollsUp(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/erin-incident.txtar")
	if err != nil {
		t.Fatal(err)
	}
	alerts := replay(t, ar.Files[0].Data)
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		if _, err := s.Insert(ctx, alerts); err != nil {
			t.Fatal(err)
		}
		const id = "inc-b47deb9d9eecd81f4585e7ca"
		inc, err := s.Incident(ctx, id)
		if err != nil || len(inc.AlertIDs) != 3 {
			t.Fatalf("incident %+v, %v", inc, err)
		}
		if _, err := s.UpdateTriage(ctx, inc.AlertIDs[1], "bob", store.TriageUpdate{Status: ptr(event.StatusActive)}); err != nil {
			t.Fatal(err)
		}
		if inc, _ = s.Incident(ctx, id); inc.Status != event.StatusActive {
			t.Errorf("one alert active: incident %s", inc.Status)
		}
		inc, err = s.UpdateIncident(ctx, id, "carol", store.TriageUpdate{Status: ptr(event.StatusResolved), Classification: ptr(event.TruePositive), Assignee: ptr("carol")})
		if err != nil {
			t.Fatal(err)
		}
		if inc.Status != event.StatusResolved || inc.Classification != event.TruePositive || inc.Assignee != "carol" {
			t.Errorf("after incident triage: %s %s %s", inc.Status, inc.Classification, inc.Assignee)
		}
		for _, aid := range inc.AlertIDs {
			a, _ := s.Alert(ctx, aid)
			if a.Triage.Status != event.StatusResolved || a.Triage.Classification != event.TruePositive || a.Triage.Incident != id {
				t.Errorf("alert %s triage %+v", aid, a.Triage)
			}
		}
		if h, _ := s.IncidentHistory(ctx, id); len(h) != 3 || h[0].Actor != "carol" {
			t.Errorf("incident history %+v", h)
		}
		if h, _ := s.History(ctx, inc.AlertIDs[1]); len(h) != 4 { // active, then resolved, classification, assignee
			t.Errorf("alert history %+v", h)
		}
		if _, err := s.Incident(ctx, "inc-nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing incident: %v", err)
		}
		// Pages of one incident each walk both, newest activity first.
		p, err := s.Incidents(ctx, store.IncidentFilter{Limit: 1})
		if err != nil || len(p.Incidents) != 1 || p.Next == "" {
			t.Fatalf("page 1: %+v %v", p, err)
		}
		p2, err := s.Incidents(ctx, store.IncidentFilter{Limit: 1, Cursor: p.Next})
		if err != nil || len(p2.Incidents) != 1 || p2.Incidents[0].ID != id || p2.Next != "" {
			t.Errorf("page 2: %+v %v", p2, err)
		}
		if p, _ := s.Incidents(ctx, store.IncidentFilter{Statuses: []event.Status{event.StatusResolved}}); len(p.Incidents) != 1 {
			t.Errorf("resolved incidents: %d", len(p.Incidents))
		}
	})
}

// TestNewAlertReopensClosedIncident: an alert that joins a resolved
// incident is new work, so the incident is new again, as its alerts' roll
// up says; a suppressed (dismissed) one leaves it closed.
func TestNewAlertReopensClosedIncident(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		first := alert("a1")
		added, err := s.Insert(ctx, []event.Alert{first})
		if err != nil {
			t.Fatal(err)
		}
		id := added[0].Triage.Incident
		if _, err := s.UpdateIncident(ctx, id, "bob", store.TriageUpdate{Status: ptr(event.StatusResolved)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddRule(ctx, store.Rule{Name: "lab", Match: store.RuleMatch{App: "Lab"}, CreatedBy: "bob", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		quiet := alert("a2")
		quiet.Time = t0.Add(time.Hour)
		quiet.Evidence[0].App = "Lab"
		later := alert("a3")
		later.Time = t0.Add(2 * time.Hour)
		for _, tc := range []struct {
			a    event.Alert
			want event.Status
		}{{quiet, event.StatusResolved}, {later, event.StatusNew}} {
			got, err := s.Insert(ctx, []event.Alert{tc.a})
			if err != nil {
				t.Fatal(err)
			}
			if got[0].Triage.Incident != id {
				t.Fatalf("%s joined %q, want %s", tc.a.ID, got[0].Triage.Incident, id)
			}
			inc, err := s.Incident(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if inc.Status != tc.want {
				t.Errorf("after %s (%s): incident %s, want %s", tc.a.ID, got[0].Triage.Status, inc.Status, tc.want)
			}
		}
	})
}
