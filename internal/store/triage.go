package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// fieldChange is one field a triage update changed.
type fieldChange struct{ field, old, new string }

// apply applies u to t and returns what changed; it refuses unknown values.
func (u TriageUpdate) apply(t *event.Triage) ([]fieldChange, error) {
	var ch []fieldChange
	if u.Status != nil {
		if !validStatus(*u.Status) {
			return nil, fmt.Errorf("%w: status %q", ErrInvalid, *u.Status)
		}
		if *u.Status != t.Status {
			ch = append(ch, fieldChange{"status", string(t.Status), string(*u.Status)})
			t.Status = *u.Status
		}
	}
	if u.Classification != nil {
		if !validClass(*u.Classification) {
			return nil, fmt.Errorf("%w: classification %q", ErrInvalid, *u.Classification)
		}
		if *u.Classification != t.Classification {
			ch = append(ch, fieldChange{"classification", string(t.Classification), string(*u.Classification)})
			t.Classification = *u.Classification
		}
	}
	if u.Assignee != nil && strings.TrimSpace(*u.Assignee) != t.Assignee {
		a := strings.TrimSpace(*u.Assignee)
		ch = append(ch, fieldChange{"assignee", t.Assignee, a})
		t.Assignee = a
	}
	return ch, nil
}

// UpdateTriage changes an alert's triage, keeping each changed field in
// its history and appending the change to the outbox ("closed" when the
// status becomes resolved or dismissed), and rolls its incident's status
// up. An update that changes nothing changes nothing.
func (s *Store) UpdateTriage(ctx context.Context, id, actor string, u TriageUpdate) (StoredAlert, error) {
	var a StoredAlert
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		if a, err = s.alert(ctx, tx, id); err != nil {
			return err
		}
		changed, err := s.setTriage(ctx, tx, &a, actor, u, s.now().UTC())
		if err != nil || !changed || a.Triage.Incident == "" {
			return err
		}
		return s.rollUp(ctx, tx, a.Triage.Incident)
	})
	if err != nil {
		return a, fmt.Errorf("store: triage %s: %w", id, err)
	}
	return a, nil
}

// setTriage applies u to a stored alert inside tx: row, history, outbox.
func (s *Store) setTriage(ctx context.Context, tx *sql.Tx, a *StoredAlert, actor string, u TriageUpdate, now time.Time) (bool, error) {
	oldStatus := a.Triage.Status
	ch, err := u.apply(&a.Triage)
	if err != nil || len(ch) == 0 {
		return false, err
	}
	t := &a.Triage
	t.UpdatedBy, t.UpdatedAt = actor, now
	_, err = tx.ExecContext(ctx, s.q(`UPDATE alerts SET status = ?, classification = ?, assignee = ?, updated_by = ?, updated_ns = ? WHERE id = ?`),
		string(t.Status), string(t.Classification), t.Assignee, actor, nanos(now), a.ID)
	if err != nil {
		return false, err
	}
	for _, c := range ch {
		if err := s.addHistory(ctx, tx, "alert", a.ID, now, actor, c.field, c.old, c.new); err != nil {
			return false, err
		}
	}
	kind := event.ChangeUpdated
	if t.Status != oldStatus && closed(t.Status) {
		kind = event.ChangeClosed
	}
	return true, s.appendChange(ctx, tx, kind, *a, now)
}

func closed(st event.Status) bool { return st == event.StatusResolved || st == event.StatusDismissed }

func (s *Store) addHistory(ctx context.Context, q querier, kind, id string, at time.Time, actor, field, old, new string) error {
	_, err := q.ExecContext(ctx, s.q(`INSERT INTO history (target_kind, target_id, at_ns, actor, field, old_value, new_value)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), kind, id, nanos(at), actor, field, old, new)
	return err
}

// History returns an alert's triage changes, oldest first.
func (s *Store) History(ctx context.Context, id string) ([]HistoryEntry, error) {
	return s.history(ctx, "alert", id)
}

// IncidentHistory returns an incident's triage changes, oldest first.
func (s *Store) IncidentHistory(ctx context.Context, id string) ([]HistoryEntry, error) {
	return s.history(ctx, "incident", id)
}

func (s *Store) history(ctx context.Context, kind, id string) ([]HistoryEntry, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT at_ns, actor, field, old_value, new_value FROM history
		WHERE target_kind = ? AND target_id = ? ORDER BY id`), kind, id)
	if err != nil {
		return nil, fmt.Errorf("store: history %s: %w", id, err)
	}
	defer rows.Close()
	out := []HistoryEntry{}
	for rows.Next() {
		var h HistoryEntry
		var at int64
		if err := rows.Scan(&at, &h.Actor, &h.Field, &h.Old, &h.New); err != nil {
			return nil, err
		}
		h.At = fromNanos(at)
		out = append(out, h)
	}
	return out, rows.Err()
}

// MaxCommentLen bounds a comment, in bytes.
const MaxCommentLen = 16 << 10

// AddComment adds an analyst's note to an alert.
func (s *Store) AddComment(ctx context.Context, id, author, text string) (Comment, error) {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > MaxCommentLen {
		return Comment{}, fmt.Errorf("%w: comment must have 1 to %d bytes", ErrInvalid, MaxCommentLen)
	}
	c := Comment{At: s.now().UTC(), Author: author, Text: text}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.alert(ctx, tx, id); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO comments (alert_id, at_ns, author, text) VALUES (?, ?, ?, ?) RETURNING id`),
			id, nanos(c.At), author, text).Scan(&c.ID)
	})
	if err != nil {
		return Comment{}, fmt.Errorf("store: comment on %s: %w", id, err)
	}
	return c, nil
}

// Comments returns an alert's comments, oldest first.
func (s *Store) Comments(ctx context.Context, id string) ([]Comment, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, at_ns, author, text FROM comments WHERE alert_id = ? ORDER BY id`), id)
	if err != nil {
		return nil, fmt.Errorf("store: comments %s: %w", id, err)
	}
	defer rows.Close()
	out := []Comment{}
	for rows.Next() {
		var c Comment
		var at int64
		if err := rows.Scan(&c.ID, &at, &c.Author, &c.Text); err != nil {
			return nil, err
		}
		c.At = fromNanos(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
