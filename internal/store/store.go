// Package store is Vedette's embedded persistent store: baselines and alerts
// under a data directory, in one bbolt file, so a second run continues from
// the first one's state and never repeats an alert it already raised.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vedette/vedette/internal/event"
)

var (
	bucketAlerts = []byte("alerts")
	bucketState  = []byte("state")
)

// Store is the embedded store. Safe for concurrent use.
type Store struct {
	db *bolt.DB
}

// Open opens (creating if needed) the store in dir. Only one process may
// have a data directory open at a time; a second waits up to 5 s, then fails.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	path := filepath.Join(dir, "vedette.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketAlerts, bucketState} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: init %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// AddAlerts stores the alerts not stored yet, in one transaction, and
// returns those that were new. An alert's ID is deterministic, so an alert
// raised again by re-reading the same input is not new.
func (s *Store) AddAlerts(alerts []event.Alert) ([]event.Alert, error) {
	var added []event.Alert
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAlerts)
		for _, a := range alerts {
			if b.Get([]byte(a.ID)) != nil {
				continue
			}
			v, err := json.Marshal(a)
			if err != nil {
				return fmt.Errorf("alert %s: %w", a.ID, err)
			}
			if err := b.Put([]byte(a.ID), v); err != nil {
				return err
			}
			added = append(added, a)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: add alerts: %w", err)
	}
	return added, nil
}

// Alerts calls fn for every stored alert, in ID order.
func (s *Store) Alerts(fn func(event.Alert) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAlerts).ForEach(func(k, v []byte) error {
			var a event.Alert
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("store: alert %s: %w", k, err)
			}
			return fn(a)
		})
	})
}

// ErrNoState is returned by LoadState when nothing was saved under a name.
var ErrNoState = errors.New("store: no saved state")

// SaveState stores a state blob (a baseline snapshot) under name.
func (s *Store) SaveState(name string, data []byte) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketState).Put([]byte(name), data)
	})
	if err != nil {
		return fmt.Errorf("store: save %s: %w", name, err)
	}
	return nil
}

// LoadState returns the blob saved under name, or ErrNoState.
func (s *Store) LoadState(name string) ([]byte, error) {
	var data []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketState).Get([]byte(name)); v != nil {
			data = append([]byte(nil), v...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: load %s: %w", name, err)
	}
	if data == nil {
		return nil, ErrNoState
	}
	return data, nil
}
