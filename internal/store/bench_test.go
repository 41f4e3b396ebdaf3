package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// The store benchmark (bench/README.md has the figures): listing the
// newest 100 alerts with two filters over 1,000,000 stored alerts, and
// inserting alerts through the full path (rules, incident, outbox), on
// SQLite and on PostgreSQL (VEDETTE_PG_DSN). Benchmarks never run in a
// plain `go test`; the million rows are generated once per backend and
// kept (SQLite under $TMPDIR/vedette-bench-1m, PostgreSQL in the schema
// vedette_bench_1m) for the next run:
//
//	go test ./internal/store -run '^$' -bench Store -benchtime 200x -timeout 0

const benchRows = 1_000_000

var benchDetections = []string{
	"impossible-travel", "infrequent-country", "anonymous-ip", "microburst", "azurite", "inactive-account-persistence",
	"powershell-persistence", "persistence-technique", "ssh-incoming-many-to-one", "ssh-incoming-one-to-one",
	"rdp-incoming-many-to-one", "network-c2",
}

var benchT0 = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)

// benchAlert is alert i of the generated million: a year of alerts over
// 5,000 principals, 12 detections, two tenants.
func benchAlert(r *rand.Rand, i int) event.Alert {
	det := benchDetections[r.IntN(len(benchDetections))]
	p := fmt.Sprintf("user%04d@contoso.com", r.IntN(5000))
	ip := fmt.Sprintf("198.51.%d.%d", r.IntN(256), r.IntN(256))
	t := benchT0.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
	return event.Alert{
		ID: fmt.Sprintf("bench-%07d", i), Detection: det, Name: det, Severity: []event.Severity{event.SeverityLow, event.SeverityMedium, event.SeverityHigh}[r.IntN(3)],
		Confidence: 0.7, Time: t, Tenant: []string{"contoso", "fabrikam"}[r.IntN(2)], Subscription: fmt.Sprintf("sub-%d", r.IntN(20)),
		Principal:   p,
		Entities:    []event.Entity{{Type: "principal", ID: p}, {Type: "ip", ID: ip, Location: &event.Location{Country: "NL"}}},
		Evidence:    []event.Evidence{{Key: fmt.Sprintf("ev-%d", i), Time: t, Source: "signins.jsonl", Record: i, Principal: p, IP: ip, Operation: "sign-in", Result: "success"}},
		Description: "generated for the benchmark",
	}
}

// benchStatus spreads triage: 70% new, 10% active, 15% resolved, 5% dismissed.
func benchStatus(r *rand.Rand) event.Status {
	switch n := r.IntN(100); {
	case n < 70:
		return event.StatusNew
	case n < 80:
		return event.StatusActive
	case n < 95:
		return event.StatusResolved
	}
	return event.StatusDismissed
}

// seed bulk-loads the million alerts (multi-row INSERTs in large
// transactions: the insert path's per-alert lookups would take an hour),
// with their IP keys and one incident per principal and day.
// Alert i comes from its own generator, so an interrupted seed resumes
// where its last committed chunk ended (from).
func (s *Store) seed(ctx context.Context, from int) error {
	// Indexes are dropped for the load and built once at the end, from
	// the migration's own statements.
	var indexes []string
	for _, stmt := range strings.Split(migrations[0], ";\n") {
		if stmt = strings.TrimSpace(stmt); strings.HasPrefix(stmt, "CREATE INDEX ") {
			indexes = append(indexes, stmt)
			name := strings.Fields(stmt)[2]
			if _, err := s.db.ExecContext(ctx, "DROP INDEX IF EXISTS "+name); err != nil {
				return err
			}
		}
	}
	if err := s.load(ctx, from); err != nil {
		return err
	}
	for _, stmt := range indexes {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	_, err := s.db.ExecContext(ctx, "ANALYZE")
	return err
}

func (s *Store) load(ctx context.Context, from int) error {
	const chunk = 10_000
	for start := from - from%chunk; start < benchRows; start += chunk {
		var alerts, keys, incidents [][]any
		seen := map[string]bool{}
		for i := start; i < start+chunk; i++ {
			r := rand.New(rand.NewPCG(7, uint64(i)))
			a := benchAlert(r, i)
			body, _ := json.Marshal(a)
			inc := IncidentID(strings.ToLower(a.Principal) + a.Time.Format("2006-01-02"))
			st := benchStatus(r)
			alerts = append(alerts, []any{a.ID, a.Detection, string(a.Severity), sevRank(a.Severity), nanos(a.Time), a.Tenant, a.Subscription,
				strings.ToLower(a.Principal), string(st), "", "", inc, "", "", nanos(a.Time), nanos(a.Time), searchText(&a), string(body)})
			keys = append(keys, []any{"ip", a.Entities[1].ID, a.ID})
			if !seen[inc] {
				seen[inc] = true
				incidents = append(incidents, []any{inc, a.Tenant, strings.ToLower(a.Principal), "", a.Name, string(a.Severity), sevRank(a.Severity),
					string(st), "", "", nanos(a.Time), nanos(a.Time), 1, `["` + a.Detection + `"]`, "[]", nanos(a.Time)})
			}
		}
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			for _, b := range []struct {
				table, cols string
				rows        [][]any
			}{
				{"alerts", "id, detection, severity, sev_rank, time_ns, tenant, subscription, principal, status, classification, assignee, incident_id, suppressed_by, updated_by, updated_ns, stored_ns, search, body", alerts},
				{"alert_keys", "kind, value, alert_id", keys},
				{"incidents", "id, tenant, principal, host, title, severity, sev_rank, status, classification, assignee, first_ns, last_ns, alert_count, detections, entities, updated_ns", incidents},
			} {
				if err := s.bulkInsert(ctx, tx, b.table, b.cols, b.rows); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// bulkInsert inserts rows with multi-row INSERTs of at most 30,000
// parameters; conflicting keys are skipped.
func (s *Store) bulkInsert(ctx context.Context, tx *sql.Tx, table, cols string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := 30_000 / len(rows[0])
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rows[0])), ", ") + ")"
	for len(rows) > 0 {
		n := min(per, len(rows))
		var args []any
		for _, row := range rows[:n] {
			args = append(args, row...)
		}
		q := "INSERT INTO " + table + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ") + " ON CONFLICT DO NOTHING"
		if _, err := tx.ExecContext(ctx, s.q(q), args...); err != nil {
			return fmt.Errorf("bulk insert %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// benchStore opens the backend's million-alert store, generating it on
// first use.
func benchStore(b *testing.B, backend string) *Store {
	b.Helper()
	ctx := context.Background()
	var (
		s   *Store
		err error
	)
	switch backend {
	case "sqlite":
		s, err = OpenWith(ctx, filepath.Join(os.TempDir(), "vedette-bench-1m"), Options{})
	case "postgres":
		dsn := os.Getenv("VEDETTE_PG_DSN")
		if dsn == "" {
			b.Skip("VEDETTE_PG_DSN unset")
		}
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			b.Fatal(err)
		}
		_, err = db.Exec("CREATE SCHEMA IF NOT EXISTS vedette_bench_1m")
		db.Close()
		if err != nil {
			b.Fatal(err)
		}
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		s, err = OpenWith(ctx, "", Options{PostgresDSN: dsn + sep + "search_path=vedette_bench_1m"})
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM alerts").Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n < benchRows {
		start := time.Now()
		if err := s.seed(ctx, n); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: generated %d alerts in %s", backend, benchRows, time.Since(start).Round(time.Second))
	}
	return s
}

var benchInserted atomic.Int64

func BenchmarkStore(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			s := benchStore(b, backend)
			ctx := context.Background()
			list := func(f AlertFilter) func(b *testing.B) {
				return func(b *testing.B) {
					for b.Loop() {
						p, err := s.Alerts(ctx, f)
						if err != nil || len(p.Alerts) != 100 {
							b.Fatalf("%d alerts, %v", len(p.Alerts), err)
						}
					}
				}
			}
			b.Run("newest100/detection+status", list(AlertFilter{Detections: []string{"microburst"}, Statuses: []event.Status{event.StatusNew}, Limit: 100}))
			b.Run("newest100/severity+tenant", list(AlertFilter{Severities: []event.Severity{event.SeverityHigh}, Tenants: []string{"fabrikam"}, Limit: 100}))
			b.Run("newest100/principal+since", list(AlertFilter{Principal: "user0042@contoso.com", Since: benchT0.Add(100 * 24 * time.Hour), Limit: 100}))
			for _, batch := range []int{1, 100} {
				b.Run(fmt.Sprintf("insert/batch%d", batch), func(b *testing.B) {
					r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
					for b.Loop() {
						alerts := make([]event.Alert, batch)
						for i := range alerts {
							alerts[i] = benchAlert(r, 0)
							alerts[i].ID = fmt.Sprintf("ins-%d-%d", time.Now().UnixNano(), benchInserted.Add(1))
						}
						if _, err := s.Insert(ctx, alerts); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/alert")
				})
			}
		})
	}
}
