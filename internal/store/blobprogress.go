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
}

// BlobProgress returns the progress saved for every blob of source (an
// account and container, or a bucket), by blob name.
func (s *Store) BlobProgress(ctx context.Context, source string) (map[string]BlobProgress, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT name, etag, size, byte_offset, records, updated_ns FROM blob_progress WHERE source = ?`), source)
	if err != nil {
		return nil, fmt.Errorf("store: blob progress %s: %w", source, err)
	}
	defer rows.Close()
	out := map[string]BlobProgress{}
	for rows.Next() {
		var p BlobProgress
		var updated int64
		if err := rows.Scan(&p.Name, &p.ETag, &p.Size, &p.Offset, &p.Records, &updated); err != nil {
			return nil, fmt.Errorf("store: blob progress %s: %w", source, err)
		}
		p.Updated = fromNanos(updated)
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
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := nanos(s.now())
		for _, p := range progress {
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO blob_progress (source, name, etag, size, byte_offset, records, updated_ns)
				VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (source, name) DO UPDATE SET etag = excluded.etag, size = excluded.size,
					byte_offset = excluded.byte_offset, records = excluded.records, updated_ns = excluded.updated_ns`),
				source, p.Name, p.ETag, p.Size, p.Offset, p.Records, now)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save blob progress %s: %w", source, err)
	}
	return nil
}
