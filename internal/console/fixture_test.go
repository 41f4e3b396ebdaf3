package console_test

// A dev-only stand-in for the API, serving the sample's alerts from memory,
// used while internal/api is not on main. It is replaced by the real API.

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/console"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
)

type fixture struct {
	mu       sync.Mutex
	alerts   []store.StoredAlert
	history  map[string][]store.HistoryEntry
	settings []map[string]any
}

func newFixture(t *testing.T) http.Handler {
	f, err := os.Open("testdata/sample-alerts.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fx := &fixture{history: map[string][]store.HistoryEntry{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a store.StoredAlert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		a.Triage.Status = event.StatusNew
		a.Triage.Incident = "inc-" + a.Principal
		fx.alerts = append(fx.alerts, a)
	}
	mux := http.NewServeMux()
	mux.Handle("/", console.Handler())
	j := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer fixture-token" {
			w.WriteHeader(401)
			j(w, map[string]string{"error": "bad token"})
			return
		}
		j(w, map[string]string{"name": "demo", "role": "admin"})
	})
	mux.HandleFunc("GET /api/v1/detections", func(w http.ResponseWriter, r *http.Request) {
		seen := map[string]bool{}
		var out []map[string]any
		for _, a := range fx.alerts {
			if !seen[a.Detection] {
				seen[a.Detection] = true
				out = append(out, map[string]any{"id": a.Detection, "name": a.Name, "severity": a.Severity, "params": map[string]any{"max_speed_kmh": 900, "learning": "168h"}})
			}
		}
		j(w, out)
	})
	mux.HandleFunc("GET /api/v1/alerts", func(w http.ResponseWriter, r *http.Request) {
		j(w, map[string]any{"alerts": fx.filter(r), "next_cursor": ""})
	})
	mux.HandleFunc("GET /api/v1/alerts/counts", func(w http.ResponseWriter, r *http.Request) {
		c := store.AlertCounts{ByDetection: map[string]int{}, BySeverity: map[string]int{}, ByStatus: map[string]int{}}
		for _, a := range fx.filter(r) {
			c.Total++
			c.ByDetection[a.Detection]++
			c.BySeverity[string(a.Severity)]++
			c.ByStatus[string(a.Triage.Status)]++
		}
		j(w, c)
	})
	mux.HandleFunc("GET /api/v1/alerts/{id}", func(w http.ResponseWriter, r *http.Request) {
		fx.mu.Lock()
		defer fx.mu.Unlock()
		for _, a := range fx.alerts {
			if a.ID == r.PathValue("id") {
				j(w, map[string]any{"id": a.ID, "detection": a.Detection, "name": a.Name, "severity": a.Severity, "confidence": a.Confidence, "factors": a.Factors,
					"mitre": a.MITRE, "time": a.Time, "tenant": a.Tenant, "subscription": a.Subscription, "principal": a.Principal, "entities": a.Entities,
					"evidence": a.Evidence, "description": a.Description, "remediation": a.Remediation, "triage": a.Triage, "history": fx.history[a.ID], "comments": []any{}})
				return
			}
		}
		w.WriteHeader(404)
	})
	mux.HandleFunc("PATCH /api/v1/alerts/{id}", func(w http.ResponseWriter, r *http.Request) {
		var u store.TriageUpdate
		json.NewDecoder(r.Body).Decode(&u)
		fx.mu.Lock()
		defer fx.mu.Unlock()
		for i, a := range fx.alerts {
			if a.ID == r.PathValue("id") && u.Status != nil {
				fx.history[a.ID] = append(fx.history[a.ID], store.HistoryEntry{At: time.Now(), Actor: "demo", Field: "status", Old: string(a.Triage.Status), New: string(*u.Status)})
				fx.alerts[i].Triage.Status = *u.Status
				if u.Classification != nil {
					fx.alerts[i].Triage.Classification = *u.Classification
				}
				if u.Assignee != nil {
					fx.alerts[i].Triage.Assignee = *u.Assignee
				}
				j(w, fx.alerts[i])
			}
		}
	})
	mux.HandleFunc("GET /api/v1/incidents", func(w http.ResponseWriter, r *http.Request) { j(w, map[string]any{"incidents": fx.incidents()}) })
	mux.HandleFunc("GET /api/v1/incidents/{id}", func(w http.ResponseWriter, r *http.Request) {
		for _, inc := range fx.incidents() {
			if inc["id"] == r.PathValue("id") {
				j(w, inc)
				return
			}
		}
		w.WriteHeader(404)
	})
	mux.HandleFunc("GET /api/v1/principals/{tenant}/{principal}", func(w http.ResponseWriter, r *http.Request) {
		j(w, map[string]any{"tenant": r.PathValue("tenant"), "principal": r.PathValue("principal"), "first_seen": "2026-09-28T08:00:00Z", "last_seen": "2026-10-12T18:00:00Z",
			"countries": []map[string]any{{"country": "US", "last_seen": "2026-10-09T16:00:00Z"}}, "ips": []map[string]any{{"ip": "99.6.98.207", "country": "US"}},
			"apps": []string{"OfficeHome"}, "usual_hours": []int{0, 0, 0, 0, 0, 0, 0, 1, 5, 9, 8, 7, 6, 8, 9, 7, 5, 3, 1, 0, 0, 0, 0, 0}})
	})
	mux.HandleFunc("GET /api/v1/settings", func(w http.ResponseWriter, r *http.Request) { j(w, map[string]any{"settings": fx.settings}) })
	mux.HandleFunc("PUT /api/v1/settings/{tenant}/{sub}/{det}", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		fx.mu.Lock()
		fx.settings = append(fx.settings, map[string]any{"tenant": r.PathValue("tenant"), "subscription": r.PathValue("sub"), "detection": r.PathValue("det"),
			"enabled": body["enabled"], "params": map[string]any{"max_speed_kmh": 900}, "source": map[string]string{"enabled": "api", "max_speed_kmh": "default"}})
		fx.mu.Unlock()
		j(w, body)
	})
	mux.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) { j(w, map[string]any{"paths": map[string]any{}}) })
	mux.HandleFunc("GET /api/v1/rules", func(w http.ResponseWriter, r *http.Request) { j(w, []any{}) })
	mux.HandleFunc("POST /api/v1/rules/simulate", func(w http.ResponseWriter, r *http.Request) {
		j(w, map[string]any{"count": 2, "alerts": fx.alerts[:2]})
	})
	return mux
}

func (fx *fixture) filter(r *http.Request) []store.StoredAlert {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	q := r.URL.Query()
	var out []store.StoredAlert
	for _, a := range fx.alerts {
		if d := q["detection"]; len(d) > 0 && !slices.Contains(d, a.Detection) {
			continue
		}
		if s := q["severity"]; len(s) > 0 && !slices.Contains(s, string(a.Severity)) {
			continue
		}
		if s := q["status"]; len(s) > 0 && !slices.Contains(s, string(a.Triage.Status)) {
			continue
		}
		if p := q.Get("principal"); p != "" && p != a.Principal {
			continue
		}
		if t := q.Get("q"); t != "" && !strings.Contains(a.Principal, t) {
			continue
		}
		out = append(out, a)
	}
	return out
}

func (fx *fixture) incidents() []map[string]any {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	by := map[string][]store.StoredAlert{}
	var order []string
	for _, a := range fx.alerts {
		if by[a.Principal] == nil {
			order = append(order, a.Principal)
		}
		by[a.Principal] = append(by[a.Principal], a)
	}
	var out []map[string]any
	for _, p := range order {
		as := by[p]
		out = append(out, map[string]any{"id": "inc-" + p, "title": "Alerts on " + p, "severity": "Medium", "status": "new", "tenant": as[0].Tenant,
			"principal": p, "first_seen": as[0].Time, "last_seen": as[len(as)-1].Time, "alert_count": len(as), "detections": []string{as[0].Detection},
			"entities": as[0].Entities, "alerts": as})
	}
	return out
}
