package api

import (
	"net/http"
	"strconv"

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

// tenantEgress lists the IPs and networks at least ?min= (default 2)
// principals of the organisation used in the window: the shared egress
// impossible travel does not alert on.
func (s *Server) tenantEgress(w http.ResponseWriter, r *http.Request) {
	te, ok := s.entities.(TenantEgress)
	if !ok {
		writeError(w, http.StatusNotFound, "no baselines in this mode")
		return
	}
	least := 2
	if v := r.URL.Query().Get("min"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "min: want a positive integer")
			return
		}
		least = n
	}
	tenant := r.PathValue("tenant")
	list, ok := te.SharedEgress(tenant, least)
	if !ok {
		writeError(w, http.StatusNotFound, "tenant not seen")
		return
	}
	writeJSON(w, http.StatusOK, tenantEgress{Tenant: tenant, Egress: list})
}

type tenantEgress struct {
	Tenant string            `json:"tenant"`
	Egress []baseline.Egress `json:"egress"`
}
