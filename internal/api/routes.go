package api

import (
	_ "embed"
	"net/http"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/netdetect"
)

// route is one API operation. role 0 is public.
type route struct {
	method, path string
	role         Role
	handle       http.HandlerFunc
}

// routes is the API; openapi.json documents exactly these (openapi_test).
func (s *Server) routes() []route {
	const v = "/api/v1"
	return []route{
		{"GET", v + "/openapi.json", 0, s.openapi},
		{"GET", v + "/me", RoleViewer, s.me},
		{"GET", v + "/detections", RoleViewer, s.detections},
		{"GET", v + "/alerts", RoleViewer, s.listAlerts},
		{"GET", v + "/alerts/counts", RoleViewer, s.countAlerts},
		{"GET", v + "/alerts/{id}", RoleViewer, s.getAlert},
		{"PATCH", v + "/alerts/{id}", RoleAnalyst, s.patchAlert},
		{"POST", v + "/alerts/{id}/comments", RoleAnalyst, s.addComment},
		{"GET", v + "/incidents", RoleViewer, s.listIncidents},
		{"GET", v + "/incidents/{id}", RoleViewer, s.getIncident},
		{"PATCH", v + "/incidents/{id}", RoleAnalyst, s.patchIncident},
		{"GET", v + "/rules", RoleViewer, s.listRules},
		{"POST", v + "/rules", RoleAdmin, s.addRule},
		{"POST", v + "/rules/simulate", RoleAdmin, s.simulateRule},
		{"DELETE", v + "/rules/{id}", RoleAdmin, s.deleteRule},
		{"GET", v + "/settings", RoleViewer, s.listSettings},
		{"PUT", v + "/settings/{tenant}/{subscription}/{detection}", RoleAdmin, s.putSetting},
		{"DELETE", v + "/settings/{tenant}/{subscription}/{detection}", RoleAdmin, s.deleteSetting},
		{"GET", v + "/principals/{tenant}/{principal}", RoleViewer, s.principal},
		{"GET", v + "/hosts/{host}", RoleViewer, s.host},
		{"GET", v + "/tenants/{tenant}/countries", RoleViewer, s.tenantCountries},
		{"GET", v + "/tenants/{tenant}/egress", RoleViewer, s.tenantEgress},
		{"GET", v + "/export/alerts", RoleViewer, s.exportAlerts},
		{"GET", v + "/dead-letters", RoleViewer, s.listDeadLetters},
	}
}

//go:embed openapi.json
var openapiDoc []byte

func (s *Server) openapi(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openapiDoc)
}

type me struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	c := caller(r.Context())
	writeJSON(w, http.StatusOK, me{Name: c.Name, Role: c.Role.String()})
}

// detection describes one detection and its default parameters.
type detection struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Kind      string         `json:"kind"` // "activity" or "network"
	Severity  string         `json:"severity"`
	Tactic    string         `json:"tactic"`
	Technique string         `json:"technique"`
	Params    map[string]any `json:"params"`
}

// detections lists every detection: the activity ones with the default
// parameters the settings can change, then the network ones with theirs
// (set per subscription in network.overrides or through the settings).
func (s *Server) detections(w http.ResponseWriter, _ *http.Request) {
	var out []detection
	for _, d := range config.Catalog() {
		m := d.Meta
		out = append(out, detection{ID: m.ID, Name: m.Name, Kind: "activity", Severity: string(m.Severity),
			Tactic: m.MITRE.Tactic, Technique: m.MITRE.Technique, Params: d.Params})
	}
	net := append(append(append([]netdetect.Detection(nil), netdetect.Detections...), netdetect.C2Detection), netdetect.SuccessDetections...)
	params := config.NetworkDefaults()
	for _, d := range net {
		p := params[d.ID]
		if p == nil {
			p = map[string]any{}
		}
		out = append(out, detection{ID: d.ID, Name: d.Name, Kind: "network", Severity: string(d.Severity),
			Tactic: d.MITRE.Tactic, Technique: d.MITRE.Technique, Params: p})
	}
	writeJSON(w, http.StatusOK, out)
}
