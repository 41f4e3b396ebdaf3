package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/vedette/vedette/internal/event"
)

// DefaultLimit and MaxLimit bound a page of alerts or incidents.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// where accumulates a query's conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// in adds "col IN (?, ...)" for a non-empty list.
func in[T ~string](w *where, col string, vals []T) {
	if len(vals) == 0 {
		return
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = string(v)
	}
	w.add(col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")", args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// alertWhere translates a filter (without sort and cursor) to conditions.
func alertWhere(f *AlertFilter) *where {
	w := &where{}
	if !f.Since.IsZero() {
		w.add("time_ns >= ?", nanos(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("time_ns < ?", nanos(f.Until))
	}
	in(w, "detection", f.Detections)
	in(w, "severity", f.Severities)
	in(w, "status", f.Statuses)
	in(w, "classification", f.Classifications)
	in(w, "tenant", f.Tenants)
	in(w, "subscription", f.Subscriptions)
	if f.Principal != "" {
		w.add("principal = ?", strings.ToLower(f.Principal))
	}
	if f.Host != "" {
		w.add("id IN (SELECT alert_id FROM alert_keys WHERE kind = 'host' AND value = ?)", strings.ToLower(f.Host))
	}
	if f.IP != "" {
		ip := strings.ToLower(f.IP)
		if a, err := netip.ParseAddr(f.IP); err == nil {
			ip = a.String()
		}
		w.add("id IN (SELECT alert_id FROM alert_keys WHERE kind = 'ip' AND value = ?)", ip)
	}
	if f.Incident != "" {
		w.add("incident_id = ?", f.Incident)
	}
	if f.Text != "" {
		w.add(`search LIKE ? ESCAPE '\'`, "%"+likeEscape(strings.ToLower(f.Text))+"%")
	}
	return w
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// sortKeys maps a sort to its key columns and direction; every key ends
// with the unique id, so keyset pagination is exact.
var sortKeys = map[string]struct {
	cols string
	desc bool
}{
	"-time":     {"time_ns, id", true},
	"time":      {"time_ns, id", false},
	"-severity": {"sev_rank, time_ns, id", true},
	"severity":  {"sev_rank, time_ns, id", false},
}

// alertCursor is the position after the last alert of a page.
type alertCursor struct {
	Sort string `json:"s"`
	Rank int    `json:"r,omitempty"`
	Time int64  `json:"t"`
	ID   string `json:"i"`
}

func encodeCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return fmt.Errorf("%w: bad cursor", ErrInvalid)
	}
	return nil
}

func pageLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// Alerts returns one page of the alerts matching f, in f.Sort order.
func (s *Store) Alerts(ctx context.Context, f AlertFilter) (AlertPage, error) {
	sort := f.Sort
	if sort == "" {
		sort = "-time"
	}
	key, ok := sortKeys[sort]
	if !ok {
		return AlertPage{}, fmt.Errorf("%w: sort %q", ErrInvalid, f.Sort)
	}
	w := alertWhere(&f)
	op, dir := ">", " ASC"
	if key.desc {
		op, dir = "<", " DESC"
	}
	if f.Cursor != "" {
		var c alertCursor
		if err := decodeCursor(f.Cursor, &c); err != nil {
			return AlertPage{}, err
		}
		if c.Sort != sort {
			return AlertPage{}, fmt.Errorf("%w: cursor of another sort", ErrInvalid)
		}
		if strings.HasPrefix(key.cols, "sev_rank") {
			w.add("(sev_rank, time_ns, id) "+op+" (?, ?, ?)", c.Rank, c.Time, c.ID)
		} else {
			w.add("(time_ns, id) "+op+" (?, ?)", c.Time, c.ID)
		}
	}
	limit := pageLimit(f.Limit)
	order := strings.ReplaceAll(key.cols, ",", dir+",") + dir
	query := `SELECT ` + alertCols + `, sev_rank, time_ns FROM alerts` + w.sql() + ` ORDER BY ` + order + ` LIMIT ?`
	rows, err := s.db.QueryContext(ctx, s.q(query), append(w.args, limit+1)...)
	if err != nil {
		return AlertPage{}, fmt.Errorf("store: alerts: %w", err)
	}
	defer rows.Close()
	page := AlertPage{Alerts: []StoredAlert{}}
	var last alertCursor
	for rows.Next() {
		if len(page.Alerts) == limit {
			page.Next = encodeCursor(last)
			break
		}
		a, err := scanAlert(rowWith{rows, []any{&last.Rank, &last.Time}})
		if err != nil {
			return AlertPage{}, err
		}
		last.Sort, last.ID = sort, a.ID
		page.Alerts = append(page.Alerts, a)
	}
	return page, rows.Err()
}

// rowWith scans extra trailing columns into more.
type rowWith struct {
	r    scanner
	more []any
}

func (r rowWith) Scan(dest ...any) error { return r.r.Scan(append(dest, r.more...)...) }

// CountAlerts returns the totals of the alerts matching f (sort, limit
// and cursor ignored).
func (s *Store) CountAlerts(ctx context.Context, f AlertFilter) (AlertCounts, error) {
	w := alertWhere(&f)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT detection, severity, status, COUNT(*) FROM alerts`+w.sql()+
		` GROUP BY detection, severity, status`), w.args...)
	if err != nil {
		return AlertCounts{}, fmt.Errorf("store: count alerts: %w", err)
	}
	defer rows.Close()
	c := AlertCounts{ByDetection: map[string]int{}, BySeverity: map[string]int{}, ByStatus: map[string]int{}}
	for rows.Next() {
		var det, sev, st string
		var n int
		if err := rows.Scan(&det, &sev, &st, &n); err != nil {
			return c, err
		}
		c.Total += n
		c.ByDetection[det] += n
		c.BySeverity[sev] += n
		c.ByStatus[st] += n
	}
	return c, rows.Err()
}

// validStatus and validClass check triage values from outside.
func validStatus(s event.Status) bool {
	switch s {
	case event.StatusNew, event.StatusActive, event.StatusResolved, event.StatusDismissed:
		return true
	}
	return false
}

func validClass(c event.Classification) bool {
	switch c {
	case "", event.TruePositive, event.BenignPositive, event.FalsePositive:
		return true
	}
	return false
}
