package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// alertCols are the columns scanAlert reads, in order.
const alertCols = `body, status, classification, assignee, incident_id, suppressed_by, updated_by, updated_ns`

// Insert stores the alerts not stored yet and returns them as stored, in
// one transaction: each new alert is checked against the suppression
// rules (a match is stored dismissed, SuppressedBy naming the rule),
// joins or opens its incident, and appends a "created" change to the
// outbox. An alert already stored (same deterministic ID) is left as it
// is: raising it again never resets its triage.
func (s *Store) Insert(ctx context.Context, alerts []event.Alert) ([]StoredAlert, error) {
	var added []StoredAlert
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		added, err = s.insertAlerts(ctx, tx, alerts)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: insert alerts: %w", err)
	}
	return added, nil
}

// insertAlerts is Insert's work inside a write transaction (one that
// holds the outbox counter, see inWriteTx).
func (s *Store) insertAlerts(ctx context.Context, tx *sql.Tx, alerts []event.Alert) ([]StoredAlert, error) {
	var added []StoredAlert
	now := s.now().UTC()
	rules, err := s.activeRules(ctx, tx, now)
	if err != nil {
		return nil, err
	}
	seen, err := s.storedIDs(ctx, tx, alerts)
	if err != nil {
		return nil, err
	}
	for i := range alerts {
		a := &alerts[i]
		if seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		sa, err := s.insertAlert(ctx, tx, a, rules, now)
		if err != nil {
			return nil, fmt.Errorf("alert %s: %w", a.ID, err)
		}
		added = append(added, sa)
	}
	return added, nil
}

// storedIDs returns which of the alerts' IDs are stored already, in
// queries of up to 500 IDs.
func (s *Store) storedIDs(ctx context.Context, q querier, alerts []event.Alert) (map[string]bool, error) {
	seen := make(map[string]bool, len(alerts))
	for start := 0; start < len(alerts); start += 500 {
		w := &where{}
		ids := make([]string, 0, 500)
		for _, a := range alerts[start:min(start+500, len(alerts))] {
			ids = append(ids, a.ID)
		}
		in(w, "id", ids)
		rows, err := q.QueryContext(ctx, s.q(`SELECT id FROM alerts`+w.sql()), w.args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			seen[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return seen, nil
}

// AddAlerts is Insert without a context, returning the new alerts.
func (s *Store) AddAlerts(alerts []event.Alert) ([]event.Alert, error) {
	added, err := s.Insert(context.Background(), alerts)
	if err != nil {
		return nil, err
	}
	out := make([]event.Alert, len(added))
	for i, a := range added {
		out[i] = a.Alert
	}
	return out, nil
}

func (s *Store) insertAlert(ctx context.Context, tx *sql.Tx, a *event.Alert, rules []Rule, now time.Time) (StoredAlert, error) {
	sa := StoredAlert{Alert: *a, Triage: event.Triage{Status: event.StatusNew, UpdatedAt: now}}
	if r := firstMatch(rules, a); r != nil {
		sa.Triage.Status = event.StatusDismissed
		sa.Triage.SuppressedBy = r.Label()
		sa.Triage.UpdatedBy = "rule"
	}
	inc, err := s.joinIncident(ctx, tx, &sa)
	if err != nil {
		return sa, err
	}
	sa.Triage.Incident = inc
	body, err := json.Marshal(a)
	if err != nil {
		return sa, err
	}
	t := &sa.Triage
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO alerts (id, detection, severity, sev_rank, time_ns, tenant, subscription,
		principal, status, classification, assignee, incident_id, suppressed_by, updated_by, updated_ns, stored_ns, search, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		a.ID, a.Detection, string(a.Severity), sevRank(a.Severity), nanos(a.Time), a.Tenant, a.Subscription,
		strings.ToLower(a.Principal), string(t.Status), string(t.Classification), t.Assignee, t.Incident, t.SuppressedBy,
		t.UpdatedBy, nanos(t.UpdatedAt), nanos(now), searchText(a), string(body))
	if err != nil {
		return sa, err
	}
	for _, k := range alertKeys(a) {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO alert_keys (kind, value, alert_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`), k[0], k[1], a.ID); err != nil {
			return sa, err
		}
	}
	if sa.Triage.SuppressedBy != "" {
		if err := s.addHistory(ctx, tx, "alert", a.ID, now, "rule", "status", string(event.StatusNew), string(event.StatusDismissed)); err != nil {
			return sa, err
		}
	}
	return sa, s.appendChange(ctx, tx, event.ChangeCreated, sa, now)
}

// Alert returns one stored alert, or ErrNotFound.
func (s *Store) Alert(ctx context.Context, id string) (StoredAlert, error) {
	return s.alert(ctx, s.db, id)
}

func (s *Store) alert(ctx context.Context, q querier, id string) (StoredAlert, error) {
	row := q.QueryRowContext(ctx, s.q(`SELECT `+alertCols+` FROM alerts WHERE id = ?`), id)
	a, err := scanAlert(row)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("alert %q: %w", id, ErrNotFound)
	}
	return a, err
}

type scanner interface{ Scan(dest ...any) error }

func scanAlert(r scanner) (StoredAlert, error) {
	var (
		a                   StoredAlert
		body, status, class string
		updated             int64
	)
	t := &a.Triage
	if err := r.Scan(&body, &status, &class, &t.Assignee, &t.Incident, &t.SuppressedBy, &t.UpdatedBy, &updated); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(body), &a.Alert); err != nil {
		return a, fmt.Errorf("store: alert body: %w", err)
	}
	t.Status, t.Classification, t.UpdatedAt = event.Status(status), event.Classification(class), fromNanos(updated)
	return a, nil
}

// EachAlert calls fn for every stored alert, in ID order.
func (s *Store) EachAlert(ctx context.Context, fn func(StoredAlert) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+alertCols+` FROM alerts ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: alerts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

func sevRank(s event.Severity) int {
	switch s {
	case event.SeverityHigh:
		return 3
	case event.SeverityMedium:
		return 2
	case event.SeverityLow:
		return 1
	}
	return 0
}

// alertKeys are the (kind, value) pairs the IP and host filters look up:
// IP entities and evidence IPs, host entities; lower case.
func alertKeys(a *event.Alert) [][2]string {
	var keys [][2]string
	add := func(kind, v string) {
		k := [2]string{kind, strings.ToLower(v)}
		if v != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, e := range a.Entities {
		switch e.Type {
		case "ip":
			add("ip", e.ID)
		case "host":
			add("host", e.ID)
		}
	}
	for _, ev := range a.Evidence {
		add("ip", ev.IP)
	}
	return keys
}

// alertHost is the alert's first host entity, lower case, or "".
func alertHost(a *event.Alert) string {
	for _, e := range a.Entities {
		if e.Type == "host" {
			return strings.ToLower(e.ID)
		}
	}
	return ""
}

// searchText is what free-text search looks in: principal, IPs, hosts.
func searchText(a *event.Alert) string {
	parts := []string{strings.ToLower(a.Principal)}
	for _, k := range alertKeys(a) {
		parts = append(parts, k[1])
	}
	return strings.Join(parts, " ")
}
