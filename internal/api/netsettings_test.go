package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// TestNetworkSettingsOverHTTP: a network detection's setting is changed
// by an admin for one subscription (any tenant), checked as
// network.overrides would be, stored, and listed with its sources beside
// the defaults of every other subscription; GET /detections shows the
// network detections' default parameters.
func TestNetworkSettingsOverHTTP(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		e := newEnv(t, open(store.Options{}), nil)
		const path = "/api/v1/settings/*/sub-1/ssh-incoming-many-to-one"
		body := map[string]any{"enabled": false, "params": map[string]any{"min_peers": 25}}
		if code := e.call("analyst", "PUT", path, body, nil); code != http.StatusForbidden {
			t.Fatalf("analyst PUT: %d, want 403", code)
		}
		var st config.Effective
		e.must("admin", "PUT", path, body, &st, 200)
		if st.Enabled || st.Source["enabled"] != config.SourceAPI || st.Params["min_peers"] != 25.0 ||
			st.Source["min_peers"] != config.SourceAPI || st.Params["min_conns"] != 50.0 || st.Source["min_conns"] != config.SourceDefault {
			t.Errorf("PUT answer: %+v", st)
		}
		var all settingsView
		e.must("viewer", "GET", "/api/v1/settings", nil, &all, 200)
		if s := find(all.Settings, "*", "sub-1", "ssh-incoming-many-to-one"); s == nil || s.Enabled || s.Source["enabled"] != config.SourceAPI || s.Params["min_peers"] != 25.0 {
			t.Errorf("sub-1 after PUT: %+v", s)
		}
		if s := find(all.Settings, "*", "*", "ssh-incoming-many-to-one"); s == nil || !s.Enabled || s.Source["enabled"] != config.SourceDefault || s.Params["min_peers"] != 10.0 {
			t.Errorf("*/* after PUT: %+v", s)
		}
		if s := find(all.Settings, "*", "sub-1", "network-communication-with-c2"); s == nil || !s.Enabled || s.Source["enabled"] != config.SourceDefault {
			t.Errorf("sub-1 c2: %+v", s)
		}
		if find(all.Settings, "*", "*", "anonymous-ip") == nil {
			t.Error("activity settings missing beside the network ones")
		}
		for _, bad := range []struct{ path, body, msg string }{
			{path, `{"params":{"min_peers":"many"}}`, "min_peers"},
			{path, `{"params":{"ports":[2222]}}`, `unknown parameter "ports" (known: min_conns, min_peers)`},
			{path, `{"params":{"min_peers":0}}`, "min_peers"},
			{path, `{"params":{"no_such_param":1}}`, "no_such_param"},
			{"/api/v1/settings/contoso/sub-1/ssh-incoming-many-to-one", `{"enabled":false}`, `tenant must be "*"`},
			{"/api/v1/settings/*/sub-1/network-communication-with-c2", `{"params":{"min_conns":1}}`, "enabled only"},
		} {
			code, msg := e.rawError("admin", "PUT", bad.path, bad.body)
			if code != http.StatusBadRequest || !strings.Contains(msg, bad.msg) {
				t.Errorf("PUT %s %s: %d %q, want 400 naming %q", bad.path, bad.body, code, msg, bad.msg)
			}
		}
		var dets []detection
		e.must("viewer", "GET", "/api/v1/detections", nil, &dets, 200)
		for _, d := range dets {
			if d.ID == "ssh-incoming-many-to-one" && (d.Params["min_conns"] != 50.0 || d.Params["min_peers"] != 10.0 || d.Params["enabled"] != nil) {
				t.Errorf("detections: %+v", d)
			}
		}
	})
}

// rawError makes a request expected to fail and returns its status and
// error message.
func (e *env) rawError(role, method, path, body string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token[role])
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Error
}
