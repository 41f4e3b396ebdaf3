package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// TestTriageRoundTrip: an analyst triages and comments over HTTP; the
// alert, its history (who, what), its comments and the audit log show it;
// a viewer's attempt changes nothing.
func TestTriageRoundTrip(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		e := newEnv(t, open(store.Options{}), nil)
		id := e.insert(alerts(8))[2].ID
		path := "/api/v1/alerts/" + id

		if code := e.call("viewer", "PATCH", path, map[string]string{"status": "active"}, nil); code != http.StatusForbidden {
			t.Fatalf("viewer triage: %d, want 403", code)
		}
		var got store.StoredAlert
		e.must("analyst", "PATCH", path, map[string]string{"status": "resolved", "classification": "true_positive", "assignee": "bob"}, &got, 200)
		if got.ID != id || got.Triage.Status != event.StatusResolved || got.Triage.Classification != event.TruePositive ||
			got.Triage.Assignee != "bob" || got.Triage.UpdatedBy != "analyst-user" {
			t.Errorf("after PATCH: %+v", got.Triage)
		}
		var c store.Comment
		e.must("analyst", "POST", path+"/comments", map[string]string{"text": "confirmed with the user: not them"}, &c, 201)

		var d alertDetail
		e.must("viewer", "GET", path, nil, &d, 200)
		if d.Triage.Status != event.StatusResolved || d.Detection == "" || len(d.Evidence) == 0 {
			t.Errorf("GET alert: %+v", d.StoredAlert)
		}
		fields := map[string]store.HistoryEntry{}
		for _, h := range d.History {
			fields[h.Field] = h
		}
		if h := fields["status"]; h.Actor != "analyst-user" || h.Old != "new" || h.New != "resolved" {
			t.Errorf("status history: %+v (all %+v)", h, d.History)
		}
		if h := fields["assignee"]; h.New != "bob" {
			t.Errorf("assignee history: %+v", h)
		}
		if len(d.Comments) != 1 || d.Comments[0].Author != "analyst-user" || d.Comments[0].Text != "confirmed with the user: not them" {
			t.Errorf("comments: %+v", d.Comments)
		}
		audit, err := e.store.AuditLog(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range audit {
			if a.Actor == "analyst-user" && a.Target == id {
				actions = append(actions, a.Action)
			}
		}
		if !slices.Contains(actions, "alert.triage") || !slices.Contains(actions, "alert.comment") {
			t.Errorf("audit of %s: %v", id, actions)
		}

		for _, bad := range []string{`{"status":"closed"}`, `{}`, `{"status":"active","colour":"red"}`, `{"status":`} {
			if code := e.call("analyst", "PATCH", path, bad, nil); code != http.StatusBadRequest {
				t.Errorf("PATCH %s: %d, want 400", bad, code)
			}
		}
		if code := e.call("analyst", "PATCH", "/api/v1/alerts/no-such-alert", map[string]string{"status": "active"}, nil); code != http.StatusNotFound {
			t.Errorf("PATCH unknown alert: %d, want 404", code)
		}
	})
}

// TestIncidentsOverHTTP: alerts of one principal form an incident; it
// lists, shows its alerts in time order, and takes triage from an analyst.
func TestIncidentsOverHTTP(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		e := newEnv(t, open(store.Options{}), nil)
		e.insert(alerts(60))
		var page store.IncidentPage
		e.must("viewer", "GET", "/api/v1/incidents?limit=500", nil, &page, 200)
		if len(page.Incidents) == 0 {
			t.Fatal("no incidents")
		}
		inc := page.Incidents[0]
		var d incidentDetail
		e.must("viewer", "GET", "/api/v1/incidents/"+inc.ID, nil, &d, 200)
		if len(d.Alerts) != d.AlertCount || d.AlertCount == 0 {
			t.Errorf("incident %s: %d alerts, alert_count %d", inc.ID, len(d.Alerts), d.AlertCount)
		}
		if !slices.IsSortedFunc(d.Alerts, func(a, b store.StoredAlert) int { return a.Time.Compare(b.Time) }) {
			t.Error("incident alerts not in time order")
		}
		for _, a := range d.Alerts {
			if a.Triage.Incident != inc.ID {
				t.Errorf("alert %s of incident %s says incident %q", a.ID, inc.ID, a.Triage.Incident)
			}
		}
		if code := e.call("viewer", "PATCH", "/api/v1/incidents/"+inc.ID, map[string]string{"status": "active"}, nil); code != 403 {
			t.Errorf("viewer incident triage: %d", code)
		}
		var after store.Incident
		e.must("analyst", "PATCH", "/api/v1/incidents/"+inc.ID, map[string]string{"assignee": "carol", "status": "active"}, &after, 200)
		if after.Assignee != "carol" || after.Status != event.StatusActive {
			t.Errorf("incident after PATCH: %+v", after)
		}
	})
}

// TestSimulateEqualsSuppression: the alerts a rule's simulation names over
// one store are exactly those the same rule, once saved, suppresses when
// the same alerts arrive in another.
func TestSimulateEqualsSuppression(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		past := newEnv(t, open(store.Options{}), nil)
		live := newEnv(t, open(store.Options{}), nil)
		as := alerts(200)
		past.insert(as)
		rule := map[string]any{"name": "pen test", "reason": "scheduled test from the red team's range",
			"match": map[string]string{"ip": "203.0.113.0/28", "tenant": "contoso"}}

		if code := past.call("analyst", "POST", "/api/v1/rules/simulate", rule, nil); code != 403 {
			t.Fatalf("analyst simulate: %d", code)
		}
		var sim simulation
		past.must("admin", "POST", "/api/v1/rules/simulate", rule, &sim, 200)
		if sim.Count == 0 || sim.Count == len(as) || sim.Count != len(sim.Alerts) {
			t.Fatalf("simulation matched %d of %d (alerts %d): the rule should select a real subset", sim.Count, len(as), len(sim.Alerts))
		}
		var saved store.Rule
		live.must("admin", "POST", "/api/v1/rules", rule, &saved, 201)
		if saved.ID == 0 || saved.CreatedBy != "admin-user" {
			t.Errorf("saved rule %+v", saved)
		}
		live.insert(as)
		var dismissed []string
		for _, a := range pageAll(t, live, url.Values{"status": {"dismissed"}}) {
			if a.Triage.SuppressedBy != "" {
				dismissed = append(dismissed, a.ID)
			}
		}
		var simulated []string
		for _, a := range sim.Alerts {
			simulated = append(simulated, a.ID)
		}
		slices.Sort(dismissed)
		slices.Sort(simulated)
		if !slices.Equal(dismissed, simulated) {
			t.Errorf("suppressed %d alerts, simulation named %d", len(dismissed), len(simulated))
		}
		var rules []store.Rule
		live.must("viewer", "GET", "/api/v1/rules", nil, &rules, 200)
		if len(rules) != 1 {
			t.Fatalf("rules: %+v", rules)
		}
		live.must("admin", "DELETE", fmt.Sprintf("/api/v1/rules/%d", saved.ID), nil, nil, 204)
		live.must("admin", "DELETE", fmt.Sprintf("/api/v1/rules/%d", saved.ID), nil, nil, 404)
		for _, bad := range []string{`{"name":"x","match":{}}`, `{"name":"x","match":{"ip":"not-an-ip"}}`, `{"match":{"ip":"192.0.2.1"}}`} {
			if code := live.call("admin", "POST", "/api/v1/rules", bad, nil); code != 400 {
				t.Errorf("POST rule %s: %d, want 400", bad, code)
			}
		}
	})
}

// pageAll follows next_cursor through every page of a listing.
func pageAll(t *testing.T, e *env, q url.Values) []store.StoredAlert {
	t.Helper()
	var all []store.StoredAlert
	for {
		var page store.AlertPage
		e.must("viewer", "GET", "/api/v1/alerts?"+q.Encode(), nil, &page, 200)
		all = append(all, page.Alerts...)
		if page.Next == "" {
			return all
		}
		q.Set("cursor", page.Next)
	}
}

// TestPaginationAndExport: cursor pages cover the filtered alerts once
// each, in order, with page sizes bounded; the export streams the same set
// as JSON lines and says it completed.
func TestPaginationAndExport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		e := newEnv(t, open(store.Options{}), nil)
		e.insert(alerts(1300))
		q := url.Values{"severity": {"High", "Medium"}, "tenant": {"contoso"}, "limit": {"97"}}
		pages := pageAll(t, e, q)
		var counts store.AlertCounts
		e.must("viewer", "GET", "/api/v1/alerts/counts?severity=High&severity=Medium&tenant=contoso", nil, &counts, 200)
		if len(pages) != counts.Total || counts.Total == 0 || counts.BySeverity["Low"] != 0 {
			t.Fatalf("paged %d alerts, counts %+v", len(pages), counts)
		}
		ids := map[string]bool{}
		for i, a := range pages {
			if ids[a.ID] || a.Tenant != "contoso" || a.Severity == event.SeverityLow {
				t.Fatalf("alert %d (%s): repeated or outside the filter", i, a.ID)
			}
			ids[a.ID] = true
			if i > 0 && a.Time.After(pages[i-1].Time) {
				t.Fatalf("alert %d newer than the one before: not -time order", i)
			}
		}
		var big store.AlertPage
		e.must("viewer", "GET", "/api/v1/alerts?limit=100000", nil, &big, 200)
		if len(big.Alerts) != maxLimit || big.Next == "" {
			t.Errorf("limit=100000 gave %d alerts, want the %d cap and a next page", len(big.Alerts), maxLimit)
		}
		for _, bad := range []string{"limit=0", "limit=x", "severity=Critical", "sort=name", "since=yesterday", "since=2026-10-06T00:00:00Z&until=2026-10-05T00:00:00Z"} {
			if code := e.call("viewer", "GET", "/api/v1/alerts?"+bad, nil, nil); code != 400 {
				t.Errorf("GET alerts?%s: %d, want 400", bad, code)
			}
		}

		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/export/alerts?severity=High&severity=Medium&tenant=contoso", nil)
		req.Header.Set("Authorization", "Bearer "+e.token["viewer"])
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.Header.Get("Content-Type") != "application/x-ndjson" || len(resp.TransferEncoding) == 0 {
			t.Errorf("export: content type %q, transfer encoding %v: want a chunked ndjson stream", resp.Header.Get("Content-Type"), resp.TransferEncoding)
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		n := 0
		for sc.Scan() {
			var a store.StoredAlert
			if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
				t.Fatalf("export line %d: %v", n+1, err)
			}
			if !ids[a.ID] {
				t.Fatalf("export line %d: alert %s not in the listing", n+1, a.ID)
			}
			n++
		}
		if n != len(ids) {
			t.Errorf("export: %d lines, listing %d alerts", n, len(ids))
		}
		if got := resp.Trailer.Get(exportTrailer); got != "complete" {
			t.Errorf("export trailer %q, want complete", got)
		}
	})
}
