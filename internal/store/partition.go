package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/vedette/vedette/internal/event"
)

// ErrFenced is returned by CommitPartition when the partition's stored
// offset is no longer the one its caller loaded: another member took the
// partition over and moved it. The caller's state is stale; it must load
// the partition again (or let it go), never retry the same commit.
var ErrFenced = errors.New("store: partition moved by another member")

// Partition names one input partition of a consumer group.
type Partition struct {
	Group string
	Topic string
	Index int32
}

// stateName is the name of the partition's state rows.
func (p Partition) stateName() string {
	return "partition/" + p.Group + "/" + p.Topic + "/" + strconv.Itoa(int(p.Index))
}

func (p Partition) String() string { return p.Topic + "/" + strconv.Itoa(int(p.Index)) }

// NoOffset is the offset of a partition nothing was committed for: read
// it from its start.
const NoOffset int64 = -1

// PartitionState is what was committed for a partition: the offset of the
// next message to read and the state rows that hold everything the
// messages before it taught.
type PartitionState struct {
	Offset int64
	Parts  map[string][]byte
}

// LoadPartition returns what was last committed for p: Offset NoOffset
// and no parts when nothing was.
func (s *Store) LoadPartition(ctx context.Context, p Partition) (PartitionState, error) {
	st := PartitionState{Offset: NoOffset, Parts: map[string][]byte{}}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`SELECT next_offset FROM partition_offsets WHERE consumer = ? AND topic = ? AND part = ?`),
			p.Group, p.Topic, p.Index).Scan(&st.Offset)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		st.Parts, err = loadParts(ctx, s, tx, p.stateName())
		return err
	})
	if err != nil {
		return st, fmt.Errorf("store: load partition %s: %w", p, err)
	}
	return st, nil
}

func loadParts(ctx context.Context, s *Store, q querier, name string) (map[string][]byte, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT part, data FROM state WHERE name = ?`), name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	parts := map[string][]byte{}
	for rows.Next() {
		var part string
		var data []byte
		if err := rows.Scan(&part, &data); err != nil {
			return nil, err
		}
		parts[part] = data
	}
	return parts, rows.Err()
}

// PartitionCommit moves a partition from the offset its state was loaded
// at (From, NoOffset for none) to To, replacing its state rows with Parts
// and storing Alerts.
type PartitionCommit struct {
	Partition
	From, To int64
	Parts    map[string][]byte
	Alerts   []event.Alert
}

// CommitPartition writes c in one transaction: the offset, the state rows
// and the new alerts (as Insert: by ID, so alerts raised again by a replay
// add nothing) commit together or not at all. It returns ErrFenced, and
// changes nothing, when the stored offset is not c.From.
func (s *Store) CommitPartition(ctx context.Context, c PartitionCommit) ([]StoredAlert, error) {
	var added []StoredAlert
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.moveOffset(ctx, tx, c); err != nil {
			return err
		}
		if err := s.writeStateParts(ctx, tx, c.stateName(), c.Parts); err != nil {
			return err
		}
		if len(c.Alerts) == 0 {
			return nil
		}
		// Last, so that commits without alerts never wait for the
		// outbox and those with alerts hold it briefly.
		if err := s.lockOutbox(ctx, tx); err != nil {
			return err
		}
		var err error
		added, err = s.insertAlerts(ctx, tx, c.Alerts)
		return err
	})
	if errors.Is(err, ErrFenced) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("store: commit partition %s: %w", c.Partition, err)
	}
	return added, nil
}

// moveOffset compares and sets the partition's offset: the row's lock
// (PostgreSQL) or the write lock (SQLite) makes a concurrent commit from a
// member that lost the partition wait, then find the offset moved.
func (s *Store) moveOffset(ctx context.Context, tx *sql.Tx, c PartitionCommit) error {
	now := nanos(s.now())
	var res sql.Result
	var err error
	if c.From == NoOffset {
		res, err = tx.ExecContext(ctx, s.q(`INSERT INTO partition_offsets (consumer, topic, part, next_offset, updated_ns)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), c.Group, c.Topic, c.Index, c.To, now)
	} else {
		res, err = tx.ExecContext(ctx, s.q(`UPDATE partition_offsets SET next_offset = ?, updated_ns = ?
			WHERE consumer = ? AND topic = ? AND part = ? AND next_offset = ?`), c.To, now, c.Group, c.Topic, c.Index, c.From)
	}
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("%w: %s expected at offset %d", ErrFenced, c.Partition, c.From)
	}
	return nil
}

// PartitionOffsets returns the committed next offset of every partition
// of group, by "topic/partition" (readiness and lag).
func (s *Store) PartitionOffsets(ctx context.Context, group string) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT topic, part, next_offset FROM partition_offsets WHERE consumer = ?`), group)
	if err != nil {
		return nil, fmt.Errorf("store: partition offsets %s: %w", group, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var p Partition
		var off int64
		if err := rows.Scan(&p.Topic, &p.Index, &off); err != nil {
			return nil, err
		}
		out[p.String()] = off
	}
	return out, rows.Err()
}
