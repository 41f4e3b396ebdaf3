package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vedette/vedette/internal/event"
)

// incidentCursor is the position after the last incident of a page.
type incidentCursor struct {
	Last int64  `json:"t"`
	ID   string `json:"i"`
}

// Incidents returns one page of incidents, most recently active first.
func (s *Store) Incidents(ctx context.Context, f IncidentFilter) (IncidentPage, error) {
	w := &where{}
	in(w, "status", f.Statuses)
	if !f.Since.IsZero() {
		w.add("last_ns >= ?", nanos(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("last_ns < ?", nanos(f.Until))
	}
	if f.Cursor != "" {
		var c incidentCursor
		if err := decodeCursor(f.Cursor, &c); err != nil {
			return IncidentPage{}, err
		}
		w.add("(last_ns, id) < (?, ?)", c.Last, c.ID)
	}
	limit := pageLimit(f.Limit)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+incidentCols+` FROM incidents`+w.sql()+
		` ORDER BY last_ns DESC, id DESC LIMIT ?`), append(w.args, limit+1)...)
	if err != nil {
		return IncidentPage{}, fmt.Errorf("store: incidents: %w", err)
	}
	page := IncidentPage{Incidents: []Incident{}}
	for rows.Next() {
		if len(page.Incidents) == limit {
			last := page.Incidents[limit-1]
			page.Next = encodeCursor(incidentCursor{nanos(last.LastSeen), last.ID})
			break
		}
		inc, err := scanIncident(rows)
		if err != nil {
			rows.Close()
			return IncidentPage{}, err
		}
		page.Incidents = append(page.Incidents, inc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return IncidentPage{}, err
	}
	for i := range page.Incidents {
		if page.Incidents[i].AlertIDs, err = s.incidentAlertIDs(ctx, s.db, page.Incidents[i].ID); err != nil {
			return IncidentPage{}, err
		}
	}
	return page, nil
}

// Incident returns one incident, or ErrNotFound.
func (s *Store) Incident(ctx context.Context, id string) (Incident, error) {
	return s.incident(ctx, s.db, id)
}

func (s *Store) incident(ctx context.Context, q querier, id string) (Incident, error) {
	inc, err := scanIncident(q.QueryRowContext(ctx, s.q(`SELECT `+incidentCols+` FROM incidents WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return inc, fmt.Errorf("incident %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return inc, err
	}
	inc.AlertIDs, err = s.incidentAlertIDs(ctx, q, id)
	return inc, err
}

// incidentAlertIDs lists an incident's alerts in time order.
func (s *Store) incidentAlertIDs(ctx context.Context, q querier, id string) ([]string, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT id FROM alerts WHERE incident_id = ? ORDER BY time_ns, id`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		ids = append(ids, a)
	}
	return ids, rows.Err()
}

// UpdateIncident applies a triage update to an incident and to each of
// its alerts (each alert's history and outbox record it), then rolls the
// incident's status up from them.
func (s *Store) UpdateIncident(ctx context.Context, id, actor string, u TriageUpdate) (Incident, error) {
	var inc Incident
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		if inc, err = s.incident(ctx, tx, id); err != nil {
			return err
		}
		now := s.now().UTC()
		t := eventTriage(inc)
		ch, err := u.apply(&t)
		if err != nil || len(ch) == 0 {
			return err
		}
		for _, c := range ch {
			if err := s.addHistory(ctx, tx, "incident", id, now, actor, c.field, c.old, c.new); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE incidents SET classification = ?, assignee = ?, updated_ns = ? WHERE id = ?`),
			string(t.Classification), t.Assignee, nanos(now), id); err != nil {
			return err
		}
		for _, aid := range inc.AlertIDs {
			a, err := s.alert(ctx, tx, aid)
			if err != nil {
				return err
			}
			if _, err := s.setTriage(ctx, tx, &a, actor, u, now); err != nil {
				return err
			}
		}
		if err := s.rollUp(ctx, tx, id); err != nil {
			return err
		}
		inc, err = s.incident(ctx, tx, id)
		return err
	})
	if err != nil {
		return inc, fmt.Errorf("store: update incident %s: %w", id, err)
	}
	return inc, nil
}

func eventTriage(inc Incident) event.Triage {
	return event.Triage{Status: inc.Status, Classification: inc.Classification, Assignee: inc.Assignee}
}
