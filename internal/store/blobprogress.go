package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// BlobProgress is how far one cloud-storage blob or object has been read:
// its ETag and size when last read, the byte offset just after its last
// complete record that was applied, and how many records that was.
type BlobProgress struct {
	Name    string
	ETag    string
	Size    int64
	Offset  int64
	Records int64
	Updated time.Time
	// Replay is set when records after Offset were read and partly applied
	// before the progress was saved (serve's reorder buffer still held some
	// of them): of the records up to Replay.Records, those whose event time
	// is before Replay.Cut were applied and are skipped when read again.
	Replay Replay
}

// Replay says which records read again after a restart were applied
// already.
type Replay struct {
	Records int64     // records of the blob read when the progress was saved
	Cut     time.Time // every item before it was applied, none at or after it
}

// BlobProgress returns the progress saved for every blob of source (an
// account and container, or a bucket), by blob name.
func (s *Store) BlobProgress(ctx context.Context, source string) (map[string]BlobProgress, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT name, etag, size, byte_offset, records, updated_ns, replay_records, replay_cut_ns
		FROM blob_progress WHERE source = ?`), source)
	if err != nil {
		return nil, fmt.Errorf("store: blob progress %s: %w", source, err)
	}
	defer rows.Close()
	out := map[string]BlobProgress{}
	for rows.Next() {
		var p BlobProgress
		var updated, cut int64
		if err := rows.Scan(&p.Name, &p.ETag, &p.Size, &p.Offset, &p.Records, &updated, &p.Replay.Records, &cut); err != nil {
			return nil, fmt.Errorf("store: blob progress %s: %w", source, err)
		}
		p.Updated = fromNanos(updated)
		if p.Replay.Records > 0 {
			p.Replay.Cut = fromNanos(cut)
		}
		out[p.Name] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: blob progress %s: %w", source, err)
	}
	return out, nil
}

// SaveBlobProgress records the progress of blobs of source, in one
// transaction, replacing what was saved for the same names.
func (s *Store) SaveBlobProgress(ctx context.Context, source string, progress []BlobProgress) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return s.writeBlobProgress(ctx, tx, source, progress) })
	if err != nil {
		return fmt.Errorf("store: save blob progress %s: %w", source, err)
	}
	return nil
}

// SaveCheckpoint saves state parts (by state name, as SaveStateParts) and
// blob progress (by source) in one transaction: the progress of what was
// read is never saved without the state that applied it, nor the reverse.
func (s *Store) SaveCheckpoint(ctx context.Context, states map[string]map[string][]byte, progress map[string][]BlobProgress) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for name, parts := range states {
			if err := s.writeStateParts(ctx, tx, name, parts); err != nil {
				return err
			}
		}
		for source, ps := range progress {
			if err := s.writeBlobProgress(ctx, tx, source, ps); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save checkpoint: %w", err)
	}
	return nil
}

func (s *Store) writeBlobProgress(ctx context.Context, tx *sql.Tx, source string, progress []BlobProgress) error {
	now := nanos(s.now())
	for _, p := range progress {
		var cut int64
		if p.Replay.Records > 0 {
			cut = nanos(p.Replay.Cut)
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO blob_progress (source, name, etag, size, byte_offset, records, updated_ns, replay_records, replay_cut_ns)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (source, name) DO UPDATE SET etag = excluded.etag, size = excluded.size,
				byte_offset = excluded.byte_offset, records = excluded.records, updated_ns = excluded.updated_ns,
				replay_records = excluded.replay_records, replay_cut_ns = excluded.replay_cut_ns`),
			source, p.Name, p.ETag, p.Size, p.Offset, p.Records, now, p.Replay.Records, cut)
		if err != nil {
			return err
		}
	}
	return nil
}
