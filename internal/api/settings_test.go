package api

import (
	"net/http"
	"testing"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// TestSettingsOverHTTP: only an admin changes settings; the change is
// stored, shown as coming from the API for its scope only, checked
// against the detection's parameters, and removable.
func TestSettingsOverHTTP(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		e := newEnv(t, open(store.Options{}), nil)
		const path = "/api/v1/settings/contoso/sub-1/anonymous-ip"
		off := map[string]any{"enabled": false}
		if code := e.call("analyst", "PUT", path, off, nil); code != http.StatusForbidden {
			t.Fatalf("analyst PUT: %d, want 403", code)
		}
		var before settingsView
		e.must("viewer", "GET", "/api/v1/settings", nil, &before, 200)
		if find(before.Settings, "contoso", "sub-1", "anonymous-ip") != nil {
			t.Fatal("the analyst's refused change shows in the settings")
		}

		var st config.Effective
		e.must("admin", "PUT", path, map[string]any{"enabled": false, "params": map[string]any{"repeat": "12h"}}, &st, 200)
		if st.Enabled || st.Source["enabled"] != config.SourceAPI || st.Params["repeat"] != "12h0m0s" || st.Source["repeat"] != config.SourceAPI {
			t.Errorf("PUT answer: %+v", st)
		}
		var after settingsView
		e.must("viewer", "GET", "/api/v1/settings", nil, &after, 200)
		if s := find(after.Settings, "contoso", "sub-1", "anonymous-ip"); s == nil || s.Enabled {
			t.Errorf("sub-1 anonymous-ip after PUT: %+v", s)
		}
		if s := find(after.Settings, "*", "*", "anonymous-ip"); s == nil || !s.Enabled || s.Source["enabled"] != config.SourceDefault {
			t.Errorf("*/* anonymous-ip after PUT: %+v", s)
		}
		for _, bad := range []struct{ path, body string }{
			{"/api/v1/settings/contoso/sub-1/no-such-detection", `{"enabled":false}`},
			{path, `{"params":{"repeat":"often"}}`},
			{path, `{"params":{"no_such_param":1}}`},
			{path, `{}`},
		} {
			if code := e.call("admin", "PUT", bad.path, bad.body, nil); code != http.StatusBadRequest {
				t.Errorf("PUT %s %s: %d, want 400", bad.path, bad.body, code)
			}
		}
		e.must("analyst", "DELETE", path, nil, nil, http.StatusForbidden)
		e.must("admin", "DELETE", path, nil, nil, http.StatusNoContent)
		e.must("admin", "DELETE", path, nil, nil, http.StatusNotFound)
		var gone settingsView
		e.must("viewer", "GET", "/api/v1/settings", nil, &gone, 200)
		if find(gone.Settings, "contoso", "sub-1", "anonymous-ip") != nil {
			t.Error("deleted setting still listed")
		}
	})
}

func find(ss []config.Effective, tenant, sub, det string) *config.Effective {
	for i := range ss {
		if ss[i].Tenant == tenant && ss[i].Subscription == sub && ss[i].Detection == det {
			return &ss[i]
		}
	}
	return nil
}
