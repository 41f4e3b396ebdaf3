// Package store is Vedette's alert store: alerts with their triage,
// incidents, suppression rules, settings overrides, the audit log, the
// outbox the outputs deliver from, and the detection state (baselines,
// network state). One schema and one set of queries over two SQL engines:
// SQLite embedded in the data directory (default, WAL, so `detect` and
// `serve` share it) and PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// dialect is what differs between the two engines: placeholders and a few
// column types in the migrations. Every query is written once with "?".
type dialect int

const (
	sqlite dialect = iota
	postgres
)

// Store is the alert store. Safe for concurrent use, also by several
// processes sharing one SQLite file.
type Store struct {
	db      *sql.DB
	dialect dialect
	log     *slog.Logger
	// IncidentWindow is the longest span of one incident (default 24 h).
	incidentWindow time.Duration
	now            func() time.Time
	settings       *settingsNotifier
}

// Options for opening a store.
type Options struct {
	// PostgresDSN, when set, selects PostgreSQL instead of SQLite.
	PostgresDSN string
	// IncidentWindow groups alerts into incidents; 0 means 24 h.
	IncidentWindow time.Duration
	Logger         *slog.Logger
}

// DefaultIncidentWindow is the longest span of one incident.
const DefaultIncidentWindow = 24 * time.Hour

// Open opens (creating if needed) the SQLite store in dir, converting a
// bbolt store left there by an earlier version.
func Open(dir string) (*Store, error) { return OpenWith(context.Background(), dir, Options{}) }

// OpenWith opens the store dir or, with opts.PostgresDSN, the PostgreSQL
// database, and applies the migrations it lacks.
func OpenWith(ctx context.Context, dir string, opts Options) (*Store, error) {
	s := &Store{log: opts.Logger, incidentWindow: opts.IncidentWindow, now: time.Now, settings: newSettingsNotifier()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.incidentWindow <= 0 {
		s.incidentWindow = DefaultIncidentWindow
	}
	var err error
	if opts.PostgresDSN != "" {
		s.dialect = postgres
		s.db, err = sql.Open("pgx", opts.PostgresDSN)
	} else {
		s.db, err = openSQLite(dir, s.log)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	if opts.PostgresDSN == "" {
		if err := s.importBolt(ctx, dir); err != nil {
			s.db.Close()
			return nil, err
		}
	}
	return s, nil
}

// DBFile is the store's file name in the data directory.
const DBFile = "vedette.db"

func openSQLite(dir string, log *slog.Logger) (*sql.DB, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, DBFile)
	if err := moveBolt(path, log); err != nil {
		return nil, err
	}
	// WAL: readers never block the writer, and another process (detect
	// next to serve) waits for the write lock instead of failing.
	// _txlock=immediate takes that lock at BEGIN, so two writers never
	// deadlock upgrading a read lock.
	dsn := "file:" + path + "?_txlock=immediate&_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_pragma=cache_size(-65536)"
	// Alerts name people and addresses: the file is the owner's only.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	f.Close()
	return sql.Open("sqlite", dsn)
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// Backend names the engine: "sqlite" or "postgres".
func (s *Store) Backend() string {
	if s.dialect == postgres {
		return "postgres"
	}
	return "sqlite"
}

// Ping checks the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// q rewrites a query's "?" placeholders for the engine.
func (s *Store) q(query string) string {
	if s.dialect != postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// inWriteTx is inTx for the transactions that append to the outbox
// (alert inserts, triage): on PostgreSQL it first locks the outbox
// counter row, so they run one at a time as they do on SQLite. Two
// processes inserting the same new alert then cannot both pass the
// "already stored?" check, and a triage update reads what the previous
// one committed.
func (s *Store) inWriteTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockOutbox(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}

// lockOutbox takes the outbox counter row for the rest of tx (PostgreSQL;
// SQLite's transactions hold the database's write lock already).
func (s *Store) lockOutbox(ctx context.Context, tx *sql.Tx) error {
	if s.dialect != postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT value FROM counters WHERE name = 'outbox' FOR UPDATE`)
	return err
}

// nanos and fromNanos convert times to the stored form: Unix nanoseconds
// (BIGINT in both engines: exact, ordered, and the same in both). Times
// outside 1678..2262, which int64 nanoseconds cannot hold (a rule
// "expiring" 9999-12-31, a filter "until" the year 3000), saturate at the
// ends instead of wrapping, so they keep their order.
func nanos(t time.Time) int64 {
	switch {
	case t.IsZero():
		return 0
	case t.Before(minNanos):
		return math.MinInt64
	case t.After(maxNanos):
		return math.MaxInt64
	}
	return t.UnixNano()
}

var (
	minNanos = time.Unix(0, math.MinInt64)
	maxNanos = time.Unix(0, math.MaxInt64)
)

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
