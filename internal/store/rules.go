package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// Label is how a suppressed alert names the rule: "rule 3: scanner noise".
func (r *Rule) Label() string { return "rule " + strconv.FormatInt(r.ID, 10) + ": " + r.Name }

// validate checks a rule from outside: a name, at least one match field,
// an IP that is an address or a CIDR.
func (r *Rule) validate() error {
	m := r.Match
	switch {
	case strings.TrimSpace(r.Name) == "":
		return fmt.Errorf("%w: a rule needs a name", ErrInvalid)
	case m == RuleMatch{}:
		return fmt.Errorf("%w: a rule must match on at least one field", ErrInvalid)
	}
	if m.IP != "" {
		if _, err := parsePrefix(m.IP); err != nil {
			return fmt.Errorf("%w: ip %q is neither an address nor a CIDR", ErrInvalid, m.IP)
		}
	}
	return nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	return p.Masked(), err
}

// Matches reports whether the rule suppresses a: every field set must
// match (case-insensitive); IP matches any IP entity or evidence IP inside
// the address or CIDR; Country any entity or evidence location; App any
// evidence app; Subscription the alert's or a subscription entity; Host a
// host entity. The same function decides suppression and simulation.
func (r *Rule) Matches(a *event.Alert) bool {
	m := &r.Match
	eq := strings.EqualFold
	if m.Detection != "" && !eq(m.Detection, a.Detection) ||
		m.Tenant != "" && !eq(m.Tenant, a.Tenant) ||
		m.Principal != "" && !eq(m.Principal, a.Principal) && !hasEntity(a, "principal", m.Principal) ||
		m.Subscription != "" && !eq(m.Subscription, a.Subscription) && !hasEntity(a, "subscription", m.Subscription) ||
		m.Host != "" && !hasEntity(a, "host", m.Host) {
		return false
	}
	if m.IP != "" && !matchIP(a, m.IP) {
		return false
	}
	if m.Country != "" && !matchCountry(a, m.Country) {
		return false
	}
	if m.App != "" && !anyEvidence(a, func(ev *event.Evidence) bool { return eq(ev.App, m.App) }) {
		return false
	}
	return true
}

func hasEntity(a *event.Alert, typ, id string) bool {
	for _, e := range a.Entities {
		if e.Type == typ && strings.EqualFold(e.ID, id) {
			return true
		}
	}
	return false
}

func anyEvidence(a *event.Alert, f func(*event.Evidence) bool) bool {
	for i := range a.Evidence {
		if f(&a.Evidence[i]) {
			return true
		}
	}
	return false
}

func matchIP(a *event.Alert, s string) bool {
	p, err := parsePrefix(s)
	if err != nil {
		return false
	}
	for _, k := range alertKeys(a) {
		if ip, err := netip.ParseAddr(k[1]); k[0] == "ip" && err == nil && p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

func matchCountry(a *event.Alert, c string) bool {
	for _, e := range a.Entities {
		if e.Location != nil && strings.EqualFold(e.Location.Country, c) {
			return true
		}
	}
	return anyEvidence(a, func(ev *event.Evidence) bool { return ev.Location != nil && strings.EqualFold(ev.Location.Country, c) })
}

// firstMatch is the first rule (lowest ID) that suppresses a.
func firstMatch(rules []Rule, a *event.Alert) *Rule {
	for i := range rules {
		if rules[i].Matches(a) {
			return &rules[i]
		}
	}
	return nil
}

// activeRules are the rules not expired at now, by ID.
func (s *Store) activeRules(ctx context.Context, q querier, now time.Time) ([]Rule, error) {
	all, err := s.rules(ctx, q)
	if err != nil {
		return nil, err
	}
	active := all[:0]
	for _, r := range all {
		if r.ExpiresAt == nil || r.ExpiresAt.After(now) {
			active = append(active, r)
		}
	}
	return active, nil
}

// Rules lists the suppression rules, expired ones included, by ID.
func (s *Store) Rules(ctx context.Context) ([]Rule, error) { return s.rules(ctx, s.db) }

func (s *Store) rules(ctx context.Context, q querier) ([]Rule, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, reason, expires_ns, created_by, created_ns, match FROM rules ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: rules: %w", err)
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		var (
			r                Rule
			expires, created int64
			match            string
		)
		if err := rows.Scan(&r.ID, &r.Name, &r.Reason, &expires, &r.CreatedBy, &created, &match); err != nil {
			return nil, err
		}
		if expires != 0 {
			t := fromNanos(expires)
			r.ExpiresAt = &t
		}
		r.CreatedAt = fromNanos(created)
		if err := json.Unmarshal([]byte(match), &r.Match); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddRule saves a suppression rule (audited); it applies to alerts stored
// from then on. ID and CreatedAt are assigned.
func (s *Store) AddRule(ctx context.Context, r Rule) (Rule, error) {
	if err := r.validate(); err != nil {
		return r, err
	}
	r.CreatedAt = s.now().UTC()
	match, err := json.Marshal(r.Match)
	if err != nil {
		return r, err
	}
	var expires int64
	if r.ExpiresAt != nil {
		expires = nanos(*r.ExpiresAt)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO rules (name, reason, expires_ns, created_by, created_ns, match)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), r.Name, r.Reason, expires, r.CreatedBy, nanos(r.CreatedAt), string(match)).Scan(&r.ID)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{At: r.CreatedAt, Actor: r.CreatedBy, Action: "rule.create", Target: strconv.FormatInt(r.ID, 10)}, r)
	})
	if err != nil {
		return r, fmt.Errorf("store: add rule: %w", err)
	}
	return r, nil
}

// DeleteRule removes a rule (audited); alerts it suppressed stay dismissed.
func (s *Store) DeleteRule(ctx context.Context, id int64, actor string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM rules WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("rule %d: %w", id, ErrNotFound)
		}
		return s.audit(ctx, tx, AuditEntry{At: s.now().UTC(), Actor: actor, Action: "rule.delete", Target: strconv.FormatInt(id, 10)}, nil)
	})
	if err != nil {
		return fmt.Errorf("store: delete rule: %w", err)
	}
	return nil
}

// SimulateRule returns the stored alerts r would have suppressed, newest
// first: the alerts it matches with the very function that suppresses.
func (s *Store) SimulateRule(ctx context.Context, r Rule) ([]StoredAlert, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	w := &where{}
	if r.Match.Detection != "" {
		w.add("LOWER(detection) = ?", strings.ToLower(r.Match.Detection))
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+alertCols+` FROM alerts`+w.sql()+` ORDER BY time_ns DESC, id DESC`), w.args...)
	if err != nil {
		return nil, fmt.Errorf("store: simulate: %w", err)
	}
	defer rows.Close()
	out := []StoredAlert{}
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, err
		}
		if r.Matches(&a.Alert) {
			out = append(out, a)
		}
	}
	return out, rows.Err()
}
