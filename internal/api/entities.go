package api

import (
	"net/http"

	"github.com/vedette/vedette/internal/baseline"
)

func (s *Server) principal(w http.ResponseWriter, r *http.Request) {
	if s.entities == nil {
		writeError(w, http.StatusNotFound, "no baselines in this mode")
		return
	}
	sum, ok := s.entities.Principal(r.PathValue("tenant"), r.PathValue("principal"))
	if !ok {
		writeError(w, http.StatusNotFound, "principal not seen")
		return
	}
	writeJSON(w, http.StatusOK, sum)
}

func (s *Server) host(w http.ResponseWriter, r *http.Request) {
	if s.entities == nil {
		writeError(w, http.StatusNotFound, "no network state in this mode")
		return
	}
	sum, ok := s.entities.Host(r.PathValue("host"))
	if !ok {
		writeError(w, http.StatusNotFound, "host not seen")
		return
	}
	writeJSON(w, http.StatusOK, sum)
}

// tenantCountries lists the countries the organisation used in the window.
func (s *Server) tenantCountries(w http.ResponseWriter, r *http.Request) {
	tc, ok := s.entities.(TenantCountries)
	if !ok {
		writeError(w, http.StatusNotFound, "no baselines in this mode")
		return
	}
	tenant := r.PathValue("tenant")
	list, ok := tc.Countries(tenant)
	if !ok {
		writeError(w, http.StatusNotFound, "tenant not seen")
		return
	}
	writeJSON(w, http.StatusOK, tenantCountries{Tenant: tenant, Countries: list})
}

type tenantCountries struct {
	Tenant    string                   `json:"tenant"`
	Countries []baseline.TenantCountry `json:"countries"`
}
