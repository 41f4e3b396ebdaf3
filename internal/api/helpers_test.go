package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
)

var t0 = time.Date(2026, 10, 5, 6, 0, 0, 0, time.UTC)

// alerts makes n alerts as the detections raise them: deterministic IDs,
// principal, IP and (for network ones) host entities, evidence, spread
// over hours; two tenants, four detections, three severities.
func alerts(n int) []event.Alert {
	type det struct {
		id, name string
		sev      event.Severity
		network  bool
	}
	dets := []det{
		{"impossible-travel", "Impossible travel activity", event.SeverityMedium, false},
		{"anonymous-ip", "Activity from anonymous IP addresses", event.SeverityMedium, false},
		{"infrequent-country", "Activity from infrequent country", event.SeverityLow, false},
		{"ssh-incoming-many-to-one", "Suspicious incoming SSH network activity from multiple sources", event.SeverityHigh, true},
	}
	out := make([]event.Alert, n)
	for i := range out {
		d := dets[i%len(dets)]
		tenant := []string{"contoso", "fabrikam"}[i/len(dets)%2]
		who := fmt.Sprintf("user%02d@%s.com", i%13, tenant)
		ip := fmt.Sprintf("203.0.113.%d", i%50)
		at := t0.Add(time.Duration(i) * 7 * time.Minute)
		key := fmt.Sprintf("%s-ev-%d", tenant, i)
		a := event.Alert{
			ID: event.AlertID(d.id, tenant, who, key), Detection: d.id, Name: d.name, Severity: d.sev, Confidence: 0.8,
			Time: at, Tenant: tenant, Subscription: fmt.Sprintf("sub-%d", i%3), Principal: who,
			Entities: []event.Entity{{Type: "principal", ID: who}, {Type: "ip", ID: ip, Location: &event.Location{Country: "NL"}}},
			Evidence: []event.Evidence{{Key: key, Time: at, Source: "signins.json", Record: i + 1, Principal: who, IP: ip, Operation: "Sign-in", Result: "success"}},
		}
		if d.network {
			host := fmt.Sprintf("vm-%02d", i%5)
			a.Principal = host
			a.ID = event.AlertID(d.id, tenant, host, key)
			a.Entities = []event.Entity{{Type: "host", ID: host}, {Type: "ip", ID: ip}}
		}
		out[i] = a
	}
	return out
}

// env is an API over a real store, served on a loopback port, with a
// token per role.
type env struct {
	t     *testing.T
	store *store.Store
	srv   *httptest.Server
	token map[string]string // by role
}

func newEnv(t *testing.T, st *store.Store, ents Entities) *env {
	t.Helper()
	toks, plain := testTokens(t)
	cfg := config.Default()
	cfg.API.Tokens = toks
	s, err := New(Options{Config: cfg, Store: st, Entities: ents})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, store: st, srv: srv, token: plain}
}

func (e *env) insert(as []event.Alert) []store.StoredAlert {
	e.t.Helper()
	added, err := e.store.Insert(context.Background(), as)
	if err != nil {
		e.t.Fatal(err)
	}
	return added
}

// call makes a request as role ("" for none) and decodes a JSON answer
// into out (when not nil); it returns the status.
func (e *env) call(role, method, path string, body any, out any) int {
	e.t.Helper()
	var rd *strings.Reader
	switch b := body.(type) {
	case nil:
		rd = strings.NewReader("")
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = strings.NewReader(string(j))
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.token[role])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 && resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			e.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func (e *env) must(role, method, path string, body any, out any, want int) {
	e.t.Helper()
	if got := e.call(role, method, path, body, out); got != want {
		e.t.Fatalf("%s %s as %s: %d, want %d", method, path, role, got, want)
	}
}
