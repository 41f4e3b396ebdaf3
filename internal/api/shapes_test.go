package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// schemaRequired returns the required properties of a component schema,
// following allOf, and the schema of array items when it is an array.
func schemaRequired(t *testing.T, schemas map[string]any, name string) []string {
	t.Helper()
	s, ok := schemas[name].(map[string]any)
	if !ok {
		t.Fatalf("no schema %s", name)
	}
	var req []string
	for _, r := range asSlice(s["required"]) {
		req = append(req, r.(string))
	}
	for _, part := range asSlice(s["allOf"]) {
		p := part.(map[string]any)
		if ref, ok := p["$ref"].(string); ok {
			req = append(req, schemaRequired(t, schemas, strings.TrimPrefix(ref, "#/components/schemas/"))...)
			continue
		}
		for _, r := range asSlice(p["required"]) {
			req = append(req, r.(string))
		}
	}
	return req
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// TestResponsesMatchSchemas: real answers over a real store carry every
// property their OpenAPI schema requires.
func TestResponsesMatchSchemas(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, storetest.Backends()[0].Open(t, store.Options{}), nil)
	as := e.insert(alerts(40))
	var inc store.IncidentPage
	e.must("viewer", "GET", "/api/v1/incidents", nil, &inc, 200)
	e.must("admin", "POST", "/api/v1/rules", `{"name":"n","match":{"tenant":"nobody"}}`, nil, 201)
	for _, c := range []struct{ path, schema string }{
		{"/api/v1/me", "Me"},
		{"/api/v1/detections", "Detection"},
		{"/api/v1/alerts?limit=5", "AlertPage"},
		{"/api/v1/alerts/counts", "AlertCounts"},
		{"/api/v1/alerts/" + as[0].ID, "AlertDetail"},
		{"/api/v1/incidents", "IncidentPage"},
		{"/api/v1/incidents/" + inc.Incidents[0].ID, "IncidentDetail"},
		{"/api/v1/rules", "Rule"},
		{"/api/v1/settings", "Settings"},
	} {
		req, _ := http.NewRequest("GET", e.srv.URL+c.path, nil)
		req.Header.Set("Authorization", "Bearer "+e.token["viewer"])
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var v any
		if err := json.Unmarshal(body, &v); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v", c.path, resp.StatusCode, err)
		}
		objs := []any{v}
		if arr, ok := v.([]any); ok { // a list of the schema
			objs = arr
		}
		if len(objs) == 0 {
			t.Fatalf("%s: empty list, nothing to check", c.path)
		}
		for _, o := range objs {
			m := o.(map[string]any)
			for _, f := range schemaRequired(t, doc.Components.Schemas, c.schema) {
				if _, ok := m[f]; !ok {
					t.Errorf("%s: %q required by %s is missing", c.path, f, c.schema)
				}
			}
		}
	}
}
