package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// openapiOps reads the operations the embedded document describes, as
// "METHOD /path" → x-role ("" for public ones).
func openapiOps(t *testing.T) map[string]string {
	t.Helper()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	ops := map[string]string{}
	for path, methods := range doc.Paths {
		for m, raw := range methods {
			if !slices.Contains([]string{"get", "put", "post", "delete", "patch"}, m) {
				t.Errorf("%s: %q is not an HTTP method", path, m)
				continue
			}
			var op struct {
				Role string `json:"x-role"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", m, path, err)
			}
			ops[strings.ToUpper(m)+" "+path] = op.Role
		}
	}
	return ops
}

// TestOpenAPIMatchesRoutes holds the document against the routes: every
// route documented with its role, every documented operation routed by the
// server's own mux to that route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := &Server{}
	ops := openapiOps(t)
	routed := map[string]bool{}
	for _, rt := range s.routes() {
		key := rt.method + " " + rt.path
		routed[key] = true
		role, ok := ops[key]
		switch {
		case !ok:
			t.Errorf("route %s is not in openapi.json", key)
		case rt.role == 0 && role != "":
			t.Errorf("%s: public, documented as x-role %q", key, role)
		case rt.role > 0 && role != rt.role.String():
			t.Errorf("%s: needs %s, documented as x-role %q", key, rt.role, role)
		}
	}
	mux := s.mux(Options{})
	for key := range ops {
		if !routed[key] {
			t.Errorf("openapi.json documents %s, which no route serves", key)
			continue
		}
		method, path, _ := strings.Cut(key, " ")
		// Fill the path's parameters: the mux must pick this very route.
		concrete := strings.NewReplacer("{id}", "x1", "{tenant}", "t1", "{subscription}", "s1",
			"{detection}", "d1", "{principal}", "p1", "{host}", "h1").Replace(path)
		_, pattern := mux.Handler(httptest.NewRequest(method, concrete, nil))
		if pattern != key {
			t.Errorf("%s %s is routed to %q, want %q", method, concrete, pattern, key)
		}
	}
}

// TestOpenAPIServed checks the document is served, public, as JSON.
func TestOpenAPIServed(t *testing.T) {
	s := &Server{}
	rec := httptest.NewRecorder()
	s.mux(Options{}).ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET openapi.json: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatal("openapi.json is not valid JSON")
	}
}

// TestOpenAPIRefsResolve: every $ref names a component the document has,
// and every schema component is used.
func TestOpenAPIRefsResolve(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatal(err)
	}
	comps := doc["components"].(map[string]any)
	used := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
				if len(parts) != 2 || comps[parts[0]] == nil || comps[parts[0]].(map[string]any)[parts[1]] == nil {
					t.Errorf("$ref %q does not resolve", ref)
				}
				used[ref] = true
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	for name := range comps["schemas"].(map[string]any) {
		if !used["#/components/schemas/"+name] {
			t.Errorf("schema %s is never used", name)
		}
	}
}
