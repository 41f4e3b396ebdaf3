package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vedette/vedette/internal/event"
)

// maxIncidentEntities bounds an incident's entity union (a honeypot's day
// names hundreds of attacker addresses; the alerts keep them all).
const maxIncidentEntities = 1000

const incidentCols = `id, tenant, principal, host, title, severity, status, classification, assignee,
	first_ns, last_ns, alert_count, detections, entities`

// IncidentID derives an incident's ID from its first alert's ID.
func IncidentID(firstAlert string) string {
	h := sha256.Sum256([]byte("incident\x00" + firstAlert))
	return "inc-" + hex.EncodeToString(h[:12])
}

// joinIncident finds the incident sa joins, or opens one, and folds the
// alert into its aggregates (entities, detections, severity, times). An
// alert joins an incident of its tenant on the same principal or host if
// the incident, with the alert, still spans less than the window; of
// several, the one that started first.
func (s *Store) joinIncident(ctx context.Context, tx *sql.Tx, sa *StoredAlert) (string, error) {
	a := &sa.Alert
	principal, host := strings.ToLower(a.Principal), alertHost(a)
	// A joinable incident spans less than the window with the alert, so
	// its last alert is within the window either side of this one: the
	// index on (tenant, principal or host, last_ns) reads just those.
	t, win := nanos(a.Time), s.incidentWindow.Nanoseconds()
	var keys []string
	var args []any
	if principal != "" {
		keys, args = append(keys, "principal = ?"), append(args, principal)
	}
	if host != "" {
		keys, args = append(keys, "host = ?"), append(args, host)
	}
	if len(keys) > 0 {
		row := tx.QueryRowContext(ctx, s.q(`SELECT `+incidentCols+` FROM incidents WHERE tenant = ? AND (`+strings.Join(keys, " OR ")+
			`) AND last_ns > ? AND last_ns < ? AND first_ns > ? ORDER BY first_ns, id LIMIT 1`), append(append([]any{a.Tenant}, args...), t-win, t+win, t-win)...)
		inc, err := scanIncident(row)
		switch {
		case err == nil:
			return inc.ID, s.foldIncident(ctx, tx, &inc, sa)
		case !errors.Is(err, sql.ErrNoRows):
			return "", err
		}
	}
	inc := Incident{
		ID: IncidentID(a.ID), Tenant: a.Tenant, Principal: principal, Host: host, Severity: a.Severity,
		Status: sa.Triage.Status, FirstSeen: a.Time, LastSeen: a.Time, AlertCount: 1,
		Detections: []string{a.Detection}, Entities: unionEntities(nil, a.Entities),
	}
	inc.Title = incidentTitle(&inc, a.Name)
	det, ent, err := marshalAggregates(&inc)
	if err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO incidents (id, tenant, principal, host, title, severity, sev_rank, status,
		classification, assignee, first_ns, last_ns, alert_count, detections, entities, updated_ns)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, 1, ?, ?, ?)`),
		inc.ID, inc.Tenant, principal, host, inc.Title, string(a.Severity), sevRank(a.Severity), string(inc.Status),
		nanos(a.Time), nanos(a.Time), det, ent, nanos(s.now()))
	return inc.ID, err
}

// foldIncident adds alert sa to inc's aggregates. A new alert reopens a
// closed incident (the roll-up of its alerts' statuses would say new); a
// suppressed one, dismissed, changes no status.
func (s *Store) foldIncident(ctx context.Context, tx *sql.Tx, inc *Incident, sa *StoredAlert) error {
	a := &sa.Alert
	if sa.Triage.Status == event.StatusNew && closed(inc.Status) {
		inc.Status = event.StatusNew
	}
	if sevRank(a.Severity) > sevRank(inc.Severity) {
		inc.Severity = a.Severity
	}
	if a.Time.Before(inc.FirstSeen) {
		inc.FirstSeen = a.Time
	}
	if a.Time.After(inc.LastSeen) {
		inc.LastSeen = a.Time
	}
	inc.AlertCount++
	if !slices.Contains(inc.Detections, a.Detection) {
		inc.Detections = append(inc.Detections, a.Detection)
	}
	inc.Entities = unionEntities(inc.Entities, a.Entities)
	inc.Title = incidentTitle(inc, a.Name)
	det, ent, err := marshalAggregates(inc)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE incidents SET title = ?, severity = ?, sev_rank = ?, first_ns = ?, last_ns = ?,
		alert_count = ?, detections = ?, entities = ?, status = ?, updated_ns = ? WHERE id = ?`),
		inc.Title, string(inc.Severity), sevRank(inc.Severity), nanos(inc.FirstSeen), nanos(inc.LastSeen),
		inc.AlertCount, det, ent, string(inc.Status), nanos(s.now()), inc.ID)
	return err
}

func marshalAggregates(inc *Incident) (string, string, error) {
	det, err := json.Marshal(inc.Detections)
	if err != nil {
		return "", "", err
	}
	ent, err := json.Marshal(inc.Entities)
	return string(det), string(ent), err
}

// unionEntities adds the entities of add not in have (by type and ID).
func unionEntities(have, add []event.Entity) []event.Entity {
	for _, e := range add {
		if len(have) >= maxIncidentEntities {
			break
		}
		if !slices.ContainsFunc(have, func(h event.Entity) bool { return h.Type == e.Type && strings.EqualFold(h.ID, e.ID) }) {
			have = append(have, e)
		}
	}
	return have
}

// incidentTitle names an incident by its subject and detections.
func incidentTitle(inc *Incident, name string) string {
	subject := cmpOr(inc.Principal, inc.Host, inc.Tenant)
	if len(inc.Detections) == 1 {
		if inc.AlertCount == 1 {
			return name + " on " + subject
		}
		return fmt.Sprintf("%s on %s (%d alerts)", inc.Detections[0], subject, inc.AlertCount)
	}
	return fmt.Sprintf("%d detections on %s: %s", len(inc.Detections), subject, strings.Join(inc.Detections, ", "))
}

func cmpOr(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// rollUp sets an incident's status from its alerts': active if any is
// active, else new if any is new, else resolved if any is resolved, else
// dismissed.
func (s *Store) rollUp(ctx context.Context, tx *sql.Tx, id string) error {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT DISTINCT status FROM alerts WHERE incident_id = ?`), id)
	if err != nil {
		return err
	}
	var have []event.Status
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			rows.Close()
			return err
		}
		have = append(have, event.Status(st))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	status := event.StatusDismissed
	for _, st := range []event.Status{event.StatusActive, event.StatusNew, event.StatusResolved} {
		if slices.Contains(have, st) {
			status = st
			break
		}
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE incidents SET status = ? WHERE id = ?`), string(status), id)
	return err
}

func scanIncident(r scanner) (Incident, error) {
	var (
		inc                Incident
		sev, status, class string
		first, last        int64
		det, ent           string
	)
	err := r.Scan(&inc.ID, &inc.Tenant, &inc.Principal, &inc.Host, &inc.Title, &sev, &status, &class, &inc.Assignee,
		&first, &last, &inc.AlertCount, &det, &ent)
	if err != nil {
		return inc, err
	}
	inc.Severity, inc.Status, inc.Classification = event.Severity(sev), event.Status(status), event.Classification(class)
	inc.FirstSeen, inc.LastSeen = fromNanos(first), fromNanos(last)
	if err := json.Unmarshal([]byte(det), &inc.Detections); err != nil {
		return inc, err
	}
	return inc, json.Unmarshal([]byte(ent), &inc.Entities)
}
