package api

import (
	"net/http"
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
