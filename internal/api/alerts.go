package api

import (
	"net/http"
	"strings"

	"github.com/vedette/vedette/internal/store"
)

func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	f, err := alertFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.store.Alerts(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if page.Alerts == nil {
		page.Alerts = []store.StoredAlert{}
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) countAlerts(w http.ResponseWriter, r *http.Request) {
	f, err := alertFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	counts, err := s.store.CountAlerts(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, counts)
}

// alertDetail is one alert with its triage history and comments.
type alertDetail struct {
	store.StoredAlert
	History  []store.HistoryEntry `json:"history"`
	Comments []store.Comment      `json:"comments"`
}

func (s *Server) getAlert(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a, err := s.store.Alert(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := alertDetail{StoredAlert: a, History: []store.HistoryEntry{}, Comments: []store.Comment{}}
	if h, err := s.store.History(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	} else if h != nil {
		d.History = h
	}
	if c, err := s.store.Comments(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	} else if c != nil {
		d.Comments = c
	}
	writeJSON(w, http.StatusOK, d)
}

// triageUpdate reads and checks a PATCH body of an alert or incident.
func triageUpdate(r *http.Request) (store.TriageUpdate, error) {
	var u store.TriageUpdate
	if err := decode(r, &u); err != nil {
		return u, err
	}
	if u.Status == nil && u.Classification == nil && u.Assignee == nil {
		return u, badf("nothing to change: set status, classification or assignee")
	}
	if u.Status != nil {
		if _, err := oneOf("status", []string{string(*u.Status)}, statuses); err != nil {
			return u, err
		}
	}
	if u.Classification != nil && *u.Classification != "" {
		if _, err := oneOf("classification", []string{string(*u.Classification)}, classifications); err != nil {
			return u, err
		}
	}
	if u.Assignee != nil && len(*u.Assignee) > 200 {
		return u, badf("assignee: longer than 200 bytes")
	}
	return u, nil
}

func (s *Server) patchAlert(w http.ResponseWriter, r *http.Request) {
	u, err := triageUpdate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	a, err := s.store.UpdateTriage(r.Context(), id, caller(r.Context()).Name, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, "alert.triage", id, u)
	writeJSON(w, http.StatusOK, a)
}

// maxComment bounds a comment's text.
const maxComment = 16 << 10

func (s *Server) addComment(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text string `json:"text"`
	}
	if err := decode(r, &body); err != nil {
		s.fail(w, r, err)
		return
	}
	if strings.TrimSpace(body.Text) == "" || len(body.Text) > maxComment {
		s.fail(w, r, badf("text: must be non-empty and at most %d bytes", maxComment))
		return
	}
	id := r.PathValue("id")
	c, err := s.store.AddComment(r.Context(), id, caller(r.Context()).Name, body.Text)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, "alert.comment", id, map[string]int64{"comment": c.ID})
	writeJSON(w, http.StatusCreated, c)
}
