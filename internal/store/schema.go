package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// migrations are applied in order, each once, in its own transaction;
// schema_migrations records the versions applied. Never edit a released
// migration: append a new one. {serial} and {blob} are the only
// engine-specific words.
var migrations = []string{
	// 1: the whole first schema.
	`CREATE TABLE alerts (
		id TEXT PRIMARY KEY,
		detection TEXT NOT NULL,
		severity TEXT NOT NULL,
		sev_rank INTEGER NOT NULL,
		time_ns BIGINT NOT NULL,
		tenant TEXT NOT NULL,
		subscription TEXT NOT NULL,
		principal TEXT NOT NULL,
		status TEXT NOT NULL,
		classification TEXT NOT NULL,
		assignee TEXT NOT NULL,
		incident_id TEXT NOT NULL,
		suppressed_by TEXT NOT NULL,
		updated_by TEXT NOT NULL,
		updated_ns BIGINT NOT NULL,
		stored_ns BIGINT NOT NULL,
		search TEXT NOT NULL,
		body TEXT NOT NULL
	);
	CREATE INDEX alerts_time ON alerts (time_ns, id);
	CREATE INDEX alerts_detection_time ON alerts (detection, time_ns, id);
	CREATE INDEX alerts_status_time ON alerts (status, time_ns, id);
	CREATE INDEX alerts_severity_time ON alerts (sev_rank, time_ns, id);
	CREATE INDEX alerts_principal_time ON alerts (principal, time_ns);
	CREATE INDEX alerts_incident_time ON alerts (incident_id, time_ns);
	CREATE TABLE alert_keys (
		kind TEXT NOT NULL,
		value TEXT NOT NULL,
		alert_id TEXT NOT NULL,
		PRIMARY KEY (kind, value, alert_id)
	);
	CREATE TABLE history (
		id {serial},
		target_kind TEXT NOT NULL,
		target_id TEXT NOT NULL,
		at_ns BIGINT NOT NULL,
		actor TEXT NOT NULL,
		field TEXT NOT NULL,
		old_value TEXT NOT NULL,
		new_value TEXT NOT NULL
	);
	CREATE INDEX history_target ON history (target_kind, target_id, id);
	CREATE TABLE comments (
		id {serial},
		alert_id TEXT NOT NULL,
		at_ns BIGINT NOT NULL,
		author TEXT NOT NULL,
		text TEXT NOT NULL
	);
	CREATE INDEX comments_alert ON comments (alert_id, id);
	CREATE TABLE incidents (
		id TEXT PRIMARY KEY,
		tenant TEXT NOT NULL,
		principal TEXT NOT NULL,
		host TEXT NOT NULL,
		title TEXT NOT NULL,
		severity TEXT NOT NULL,
		sev_rank INTEGER NOT NULL,
		status TEXT NOT NULL,
		classification TEXT NOT NULL,
		assignee TEXT NOT NULL,
		first_ns BIGINT NOT NULL,
		last_ns BIGINT NOT NULL,
		alert_count INTEGER NOT NULL,
		detections TEXT NOT NULL,
		entities TEXT NOT NULL,
		updated_ns BIGINT NOT NULL
	);
	CREATE INDEX incidents_principal ON incidents (tenant, principal, last_ns);
	CREATE INDEX incidents_host ON incidents (tenant, host, last_ns);
	CREATE INDEX incidents_last ON incidents (last_ns, id);
	CREATE TABLE rules (
		id {serial},
		name TEXT NOT NULL,
		reason TEXT NOT NULL,
		expires_ns BIGINT NOT NULL,
		created_by TEXT NOT NULL,
		created_ns BIGINT NOT NULL,
		match TEXT NOT NULL
	);
	CREATE TABLE settings (
		tenant TEXT NOT NULL,
		subscription TEXT NOT NULL,
		detection TEXT NOT NULL,
		enabled INTEGER,
		params TEXT NOT NULL,
		updated_by TEXT NOT NULL,
		updated_ns BIGINT NOT NULL,
		PRIMARY KEY (tenant, subscription, detection)
	);
	CREATE TABLE audit (
		id {serial},
		at_ns BIGINT NOT NULL,
		actor TEXT NOT NULL,
		action TEXT NOT NULL,
		target TEXT NOT NULL,
		detail TEXT NOT NULL
	);
	CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
	INSERT INTO counters (name, value) VALUES ('outbox', 0), ('settings', 0);
	CREATE TABLE outbox (
		seq BIGINT PRIMARY KEY,
		kind TEXT NOT NULL,
		at_ns BIGINT NOT NULL,
		alert_id TEXT NOT NULL,
		body TEXT NOT NULL
	);
	CREATE TABLE cursors (output TEXT PRIMARY KEY, seq BIGINT NOT NULL);
	CREATE TABLE dead_letters (
		id {serial},
		output TEXT NOT NULL,
		seq BIGINT NOT NULL,
		at_ns BIGINT NOT NULL,
		attempts INTEGER NOT NULL,
		reason TEXT NOT NULL,
		change TEXT NOT NULL
	);
	CREATE INDEX dead_letters_output ON dead_letters (output, id);
	CREATE TABLE state (
		name TEXT NOT NULL,
		part TEXT NOT NULL,
		data {blob} NOT NULL,
		updated_ns BIGINT NOT NULL,
		PRIMARY KEY (name, part)
	)`,
	// 2: a covering index for CountAlerts, which reads (detection, severity,
	// status) of every matching alert on each load of the console's alert
	// list: without it SQLite reads every alert's whole row (2.0 s over
	// 100,000 alerts; 39 ms with it, BenchmarkListPage in internal/console).
	`CREATE INDEX alerts_counts ON alerts (detection, severity, status, sev_rank, time_ns)`,
	// 3: how far each cloud-storage blob or object has been read
	// (internal/source/azblob, internal/source/s3): its ETag and size when
	// last read, the byte offset after its last complete record applied and
	// how many records that was.
	`CREATE TABLE blob_progress (
		source TEXT NOT NULL,
		name TEXT NOT NULL,
		etag TEXT NOT NULL,
		size BIGINT NOT NULL,
		byte_offset BIGINT NOT NULL,
		records BIGINT NOT NULL,
		updated_ns BIGINT NOT NULL,
		PRIMARY KEY (source, name)
	)`,
	// 4, 5: what a restart of `serve` reads again of a blob whose records
	// were still held in the reorder buffer when its progress was saved:
	// records up to replay_records whose event time is before
	// replay_cut_ns were applied already and are skipped.
	`ALTER TABLE blob_progress ADD COLUMN replay_records BIGINT NOT NULL DEFAULT 0`,
	`ALTER TABLE blob_progress ADD COLUMN replay_cut_ns BIGINT NOT NULL DEFAULT 0`,
	// 6: scale-out detection (internal/runner/cluster*.go): per consumer
	// group and input partition, the offset of the next message to read.
	// The partition's state rows (name "partition/<group>/<topic>/<n>")
	// and its alerts are written in the transaction that moves it.
	`CREATE TABLE partition_offsets (
		consumer TEXT NOT NULL,
		topic TEXT NOT NULL,
		part INTEGER NOT NULL,
		next_offset BIGINT NOT NULL,
		updated_ns BIGINT NOT NULL,
		PRIMARY KEY (consumer, topic, part)
	)`,
}

func (s *Store) ddl(m string) string {
	serial, blob := "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"
	if s.dialect == postgres {
		serial, blob = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BYTEA"
	}
	return strings.NewReplacer("{serial}", serial, "{blob}", blob).Replace(m)
}

// migrate applies the migrations the database lacks. Two processes opening
// a fresh store at once serialize on the write lock (SQLite) or an
// advisory lock (PostgreSQL); the second finds the work done.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ns BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	for i, m := range migrations {
		version := i + 1
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if s.dialect == postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7469836)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range strings.Split(s.ddl(m), ";\n") {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%.60s: %w", strings.TrimSpace(stmt), err)
				}
			}
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, applied_ns) VALUES (?, ?)`), version, nanos(s.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %d: %w", version, err)
		}
	}
	return nil
}

// SchemaVersion is the newest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}
