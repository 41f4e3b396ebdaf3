package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrNoState is returned by LoadState when nothing was saved under a name.
var ErrNoState = errors.New("store: no saved state")

// SaveState stores a state blob under name, as its only part.
func (s *Store) SaveState(name string, data []byte) error {
	return s.SaveStateParts(context.Background(), name, map[string][]byte{"": data})
}

// LoadState returns the blob saved under name by SaveState, or ErrNoState.
func (s *Store) LoadState(name string) ([]byte, error) {
	parts, err := s.LoadStateParts(context.Background(), name)
	if err != nil {
		return nil, err
	}
	data, ok := parts[""]
	if !ok {
		return nil, ErrNoState
	}
	return data, nil
}

// SaveStateParts replaces the state saved under name with parts (one row
// per part: a tenant's baselines, a host group's network state), in one
// transaction: a reader sees the old parts or the new ones, never a mix.
func (s *Store) SaveStateParts(ctx context.Context, name string, parts map[string][]byte) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return s.writeStateParts(ctx, tx, name, parts) })
	if err != nil {
		return fmt.Errorf("store: save %s: %w", name, err)
	}
	return nil
}

// LoadStateParts returns the parts saved under name, or ErrNoState.
func (s *Store) LoadStateParts(ctx context.Context, name string) (map[string][]byte, error) {
	parts, err := loadParts(ctx, s, s.db, name)
	if err != nil {
		return nil, fmt.Errorf("store: load %s: %w", name, err)
	}
	if len(parts) == 0 {
		return nil, ErrNoState
	}
	return parts, nil
}

// writeStateParts replaces the parts saved under name within tx.
func (s *Store) writeStateParts(ctx context.Context, tx *sql.Tx, name string, parts map[string][]byte) error {
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM state WHERE name = ?`), name); err != nil {
		return err
	}
	now := nanos(s.now())
	for part, data := range parts {
		if data == nil {
			data = []byte{}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO state (name, part, data, updated_ns) VALUES (?, ?, ?, ?)`), name, part, data, now); err != nil {
			return err
		}
	}
	return nil
}
