package api

import (
	"net/http"

	"github.com/vedette/vedette/internal/store"
)

// listDeadLetters lists the finding changes outputs gave up delivering,
// newest first, with the attempts and the reason (docs/OUTPUTS.md):
// ?output=NAME narrows to one output, ?limit= as for alerts.
func (s *Server) listDeadLetters(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n, err := limit(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dead, err := s.store.DeadLetters(r.Context(), q.Get("output"), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if dead == nil {
		dead = []store.DeadLetter{}
	}
	writeJSON(w, http.StatusOK, dead)
}
