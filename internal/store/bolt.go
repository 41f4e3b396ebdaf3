package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vedette/vedette/internal/event"
)

// Vedette before the SQL store kept alerts and state in a bbolt file at
// the same path. Open moves such a file aside (vedette.db.bolt) and
// imports it: alerts (through the normal insert: incidents, rules,
// outbox) and state blobs; then renames it vedette.db.bolt.imported. An
// interrupted import runs again on the next Open: alert IDs deduplicate
// and state is replaced, so importing twice equals importing once.

const boltSuffix = ".bolt"

// moveBolt renames a bbolt file at path out of SQLite's way.
func moveBolt(path string, log *slog.Logger) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	head := make([]byte, 32)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if n < 20 || bytes.HasPrefix(head, []byte("SQLite format 3\x00")) {
		return nil
	}
	if binary.LittleEndian.Uint32(head[16:20]) != 0xED0CDAED {
		return fmt.Errorf("store: %s is neither SQLite nor a bbolt store of an earlier Vedette", path)
	}
	log.Info("store: converting the bbolt store of an earlier version", "path", path)
	return os.Rename(path, path+boltSuffix)
}

// importBolt imports dir's moved bbolt file, if any.
func (s *Store) importBolt(ctx context.Context, dir string) error {
	path := filepath.Join(dir, DBFile+boltSuffix)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		return fmt.Errorf("store: open bbolt %s: %w", path, err)
	}
	alerts, states, err := readBolt(db)
	db.Close()
	if err != nil {
		return fmt.Errorf("store: read bbolt %s: %w", path, err)
	}
	for len(alerts) > 0 {
		n := min(len(alerts), 1000)
		if _, err := s.Insert(ctx, alerts[:n]); err != nil {
			return err
		}
		alerts = alerts[n:]
	}
	for name, data := range states {
		if err := s.SaveStateParts(ctx, name, map[string][]byte{"": data}); err != nil {
			return err
		}
	}
	s.log.Info("store: bbolt store imported", "path", path, "states", len(states))
	return os.Rename(path, path+".imported")
}

func readBolt(db *bolt.DB) ([]event.Alert, map[string][]byte, error) {
	var alerts []event.Alert
	states := map[string][]byte{}
	err := db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte("alerts")); b != nil {
			err := b.ForEach(func(k, v []byte) error {
				var a event.Alert
				if err := json.Unmarshal(v, &a); err != nil {
					return fmt.Errorf("alert %s: %w", k, err)
				}
				alerts = append(alerts, a)
				return nil
			})
			if err != nil {
				return err
			}
		}
		if b := tx.Bucket([]byte("state")); b != nil {
			return b.ForEach(func(k, v []byte) error {
				states[string(k)] = bytes.Clone(v)
				return nil
			})
		}
		return nil
	})
	return alerts, states, err
}
