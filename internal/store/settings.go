package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// settingsNotifier calls the functions registered with OnSettingsChange
// after each committed settings change made through this Store.
type settingsNotifier struct {
	mu  sync.Mutex
	fns []func()
}

func newSettingsNotifier() *settingsNotifier { return &settingsNotifier{} }

func (n *settingsNotifier) notify() {
	n.mu.Lock()
	fns := append([]func(){}, n.fns...)
	n.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

// OnSettingsChange registers fn to run after every settings override
// committed through this Store (PutSetting, DeleteSetting), so the
// detections of the same process apply it from the next event on.
// Another process sees it through SettingsVersion.
func (s *Store) OnSettingsChange(fn func()) {
	s.settings.mu.Lock()
	s.settings.fns = append(s.settings.fns, fn)
	s.settings.mu.Unlock()
}

// SettingsVersion counts the settings changes ever committed, by any
// process: a reader polls it to notice another process's change.
func (s *Store) SettingsVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = 'settings'`).Scan(&v)
	return v, err
}

// SettingOverrides lists the overrides, by tenant, subscription, detection.
func (s *Store) SettingOverrides(ctx context.Context) ([]SettingOverride, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT tenant, subscription, detection, enabled, params, updated_by, updated_ns
		FROM settings ORDER BY tenant, subscription, detection`)
	if err != nil {
		return nil, fmt.Errorf("store: settings: %w", err)
	}
	defer rows.Close()
	out := []SettingOverride{}
	for rows.Next() {
		var (
			o       SettingOverride
			enabled sql.NullInt64
			params  string
			at      int64
		)
		if err := rows.Scan(&o.Tenant, &o.Subscription, &o.Detection, &enabled, &params, &o.UpdatedBy, &at); err != nil {
			return nil, err
		}
		if enabled.Valid {
			b := enabled.Int64 != 0
			o.Enabled = &b
		}
		if err := json.Unmarshal([]byte(params), &o.Params); err != nil {
			return nil, err
		}
		o.UpdatedAt = fromNanos(at)
		out = append(out, o)
	}
	return out, rows.Err()
}

// PutSetting stores (replacing) the override of one detection in one
// scope, audited. The caller validates the detection and its params
// against the configuration schema.
func (s *Store) PutSetting(ctx context.Context, o SettingOverride) error {
	if o.Tenant == "" || o.Subscription == "" || o.Detection == "" {
		return fmt.Errorf("%w: a setting needs tenant, subscription (or *) and detection", ErrInvalid)
	}
	if o.Enabled == nil && len(o.Params) == 0 {
		return fmt.Errorf("%w: a setting must set enabled or params", ErrInvalid)
	}
	o.Tenant, o.Subscription = strings.ToLower(o.Tenant), strings.ToLower(o.Subscription)
	params, err := json.Marshal(o.Params)
	if err != nil {
		return err
	}
	var enabled sql.NullInt64
	if o.Enabled != nil {
		enabled = sql.NullInt64{Valid: true}
		if *o.Enabled {
			enabled.Int64 = 1
		}
	}
	o.UpdatedAt = s.now().UTC()
	err = s.changeSettings(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO settings (tenant, subscription, detection, enabled, params, updated_by, updated_ns)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, subscription, detection) DO UPDATE SET
			enabled = excluded.enabled, params = excluded.params, updated_by = excluded.updated_by, updated_ns = excluded.updated_ns`),
			o.Tenant, o.Subscription, o.Detection, enabled, string(params), o.UpdatedBy, nanos(o.UpdatedAt))
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, AuditEntry{At: o.UpdatedAt, Actor: o.UpdatedBy, Action: "setting.put", Target: settingTarget(o.Tenant, o.Subscription, o.Detection)}, o)
	})
	if err != nil {
		return fmt.Errorf("store: put setting: %w", err)
	}
	return nil
}

// DeleteSetting removes an override (audited), or returns ErrNotFound.
func (s *Store) DeleteSetting(ctx context.Context, tenant, subscription, detection, actor string) error {
	tenant, subscription = strings.ToLower(tenant), strings.ToLower(subscription)
	err := s.changeSettings(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM settings WHERE tenant = ? AND subscription = ? AND detection = ?`), tenant, subscription, detection)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("setting %s: %w", settingTarget(tenant, subscription, detection), ErrNotFound)
		}
		return s.audit(ctx, tx, AuditEntry{At: s.now().UTC(), Actor: actor, Action: "setting.delete", Target: settingTarget(tenant, subscription, detection)}, nil)
	})
	if err != nil {
		return fmt.Errorf("store: delete setting: %w", err)
	}
	return nil
}

// changeSettings runs fn and bumps the settings version in one
// transaction, then tells this process's listeners.
func (s *Store) changeSettings(ctx context.Context, fn func(tx *sql.Tx) error) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE counters SET value = value + 1 WHERE name = 'settings'`)
		return err
	})
	if err == nil {
		s.settings.notify()
	}
	return err
}

func settingTarget(tenant, subscription, detection string) string {
	return tenant + "/" + subscription + "/" + detection
}

// AddAudit records a change made through the API or the CLI. Rule and
// setting changes are audited by the store itself, in their transaction.
func (s *Store) AddAudit(ctx context.Context, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.now().UTC()
	}
	if err := s.audit(ctx, s.db, e, nil); err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// audit inserts e; detail, when not nil, replaces e.Detail as JSON.
func (s *Store) audit(ctx context.Context, q querier, e AuditEntry, detail any) error {
	d := string(e.Detail)
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return err
		}
		d = string(b)
	}
	_, err := q.ExecContext(ctx, s.q(`INSERT INTO audit (at_ns, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)`),
		nanos(e.At), e.Actor, e.Action, e.Target, d)
	return err
}

// AuditLog returns the newest limit audit entries, newest first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT at_ns, actor, action, target, detail FROM audit ORDER BY id DESC LIMIT ?`), pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var (
			e      AuditEntry
			at     int64
			detail string
		)
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Target, &detail); err != nil {
			return nil, err
		}
		e.At = fromNanos(at)
		if detail != "" {
			e.Detail = json.RawMessage(detail)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
