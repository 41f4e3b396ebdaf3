package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// appendChange appends a change of a to the outbox, in the caller's
// transaction. Seq comes from a counter row the transaction updates: the
// row lock holds every other writer until this one commits, so Seq
// increases in commit order in both engines (a sequence would not: a
// later transaction could commit a higher Seq first, and an output
// reading between the two would skip the lower one forever).
func (s *Store) appendChange(ctx context.Context, tx *sql.Tx, kind event.ChangeKind, a StoredAlert, now time.Time) error {
	var seq int64
	if err := tx.QueryRowContext(ctx, `UPDATE counters SET value = value + 1 WHERE name = 'outbox' RETURNING value`).Scan(&seq); err != nil {
		return fmt.Errorf("outbox seq: %w", err)
	}
	c := event.Change{Seq: seq, Kind: kind, At: now, Alert: a.Alert, Triage: a.Triage}
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO outbox (seq, kind, at_ns, alert_id, body) VALUES (?, ?, ?, ?, ?)`),
		seq, string(kind), nanos(now), a.ID, string(body))
	return err
}

// OutboxAfter returns up to limit changes with Seq > after, in Seq order.
func (s *Store) OutboxAfter(ctx context.Context, after int64, limit int) ([]event.Change, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`), after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	defer rows.Close()
	var out []event.Change
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var c event.Change
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			return nil, fmt.Errorf("store: outbox entry: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Cursor returns the last Seq delivered to output (0 if none).
func (s *Store) Cursor(ctx context.Context, output string) (int64, error) {
	var seq int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT seq FROM cursors WHERE output = ?`), output).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: cursor %s: %w", output, err)
	}
	return seq, nil
}

// SetCursor records that output delivered everything up to seq.
func (s *Store) SetCursor(ctx context.Context, output string, seq int64) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO cursors (output, seq) VALUES (?, ?)
		ON CONFLICT (output) DO UPDATE SET seq = excluded.seq`), output, seq)
	if err != nil {
		return fmt.Errorf("store: set cursor %s: %w", output, err)
	}
	return nil
}

// AddDeadLetter records a change an output gave up on, with the reason.
func (s *Store) AddDeadLetter(ctx context.Context, output string, c event.Change, attempts int, reason string) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, s.q(`INSERT INTO dead_letters (output, seq, at_ns, attempts, reason, change) VALUES (?, ?, ?, ?, ?, ?)`),
		output, c.Seq, nanos(s.now()), attempts, reason, string(body))
	if err != nil {
		return fmt.Errorf("store: dead letter %s: %w", output, err)
	}
	return nil
}

// DeadLetters lists an output's dead letters, newest first ("" = every output).
func (s *Store) DeadLetters(ctx context.Context, output string, limit int) ([]DeadLetter, error) {
	if limit <= 0 {
		limit = 100
	}
	w := &where{}
	if output != "" {
		w.add("output = ?", output)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT output, at_ns, attempts, reason, change FROM dead_letters`+w.sql()+
		` ORDER BY id DESC LIMIT ?`), append(w.args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: dead letters: %w", err)
	}
	defer rows.Close()
	var out []DeadLetter
	for rows.Next() {
		var (
			d    DeadLetter
			at   int64
			body string
		)
		if err := rows.Scan(&d.Output, &at, &d.Attempts, &d.Reason, &body); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &d.Change); err != nil {
			return nil, err
		}
		d.At = fromNanos(at)
		out = append(out, d)
	}
	return out, rows.Err()
}
