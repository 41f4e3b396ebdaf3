package api

import (
	"context"
	"net/http"

	"github.com/vedette/vedette/internal/store"
)

func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	f, err := incidentFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.store.Incidents(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if page.Incidents == nil {
		page.Incidents = []store.Incident{}
	}
	writeJSON(w, http.StatusOK, page)
}

// maxIncidentAlerts bounds the alerts one incident answer carries; the
// rest are listed by GET /alerts?incident=ID.
const maxIncidentAlerts = 1000

// incidentDetail is an incident with its alerts in time order.
type incidentDetail struct {
	store.Incident
	Alerts []store.StoredAlert `json:"alerts"`
	// AlertsTruncated says more alerts than maxIncidentAlerts exist.
	AlertsTruncated bool `json:"alerts_truncated,omitempty"`
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) {
	inc, err := s.store.Incident(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := incidentDetail{Incident: inc}
	if d.Alerts, d.AlertsTruncated, err = s.incidentAlerts(r.Context(), inc.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// incidentAlerts pages through an incident's alerts, oldest first.
func (s *Server) incidentAlerts(ctx context.Context, id string) ([]store.StoredAlert, bool, error) {
	f := store.AlertFilter{Incident: id, Sort: "time", Limit: maxLimit}
	alerts := []store.StoredAlert{}
	for {
		page, err := s.store.Alerts(ctx, f)
		if err != nil {
			return nil, false, err
		}
		alerts = append(alerts, page.Alerts...)
		if len(alerts) >= maxIncidentAlerts {
			return alerts[:maxIncidentAlerts], len(alerts) > maxIncidentAlerts || page.Next != "", nil
		}
		if page.Next == "" {
			return alerts, false, nil
		}
		f.Cursor = page.Next
	}
}

func (s *Server) patchIncident(w http.ResponseWriter, r *http.Request) {
	u, err := triageUpdate(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	inc, err := s.store.UpdateIncident(r.Context(), id, caller(r.Context()).Name, u)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, "incident.triage", id, u)
	writeJSON(w, http.StatusOK, inc)
}
