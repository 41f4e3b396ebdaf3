// Package storetest opens fresh stores on every backend for tests: SQLite
// in a temporary directory and, when VEDETTE_PG_DSN names a PostgreSQL
// database, a fresh schema in it. Without it the PostgreSQL case is
// skipped, except in CI (CI=true), where it fails.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/store"
)

// Backend opens a fresh, empty store; the test's cleanup closes it.
type Backend struct {
	Name string
	Open func(t testing.TB, opts store.Options) *store.Store
}

// Backends are SQLite and PostgreSQL.
func Backends() []Backend {
	return []Backend{{"sqlite", openSQLite}, {"postgres", openPostgres}}
}

// Run runs fn as a subtest on each backend.
func Run(t *testing.T, fn func(t *testing.T, open func(store.Options) *store.Store)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, func(o store.Options) *store.Store { return b.Open(t, o) })
		})
	}
}

func openSQLite(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	s, err := store.OpenWith(context.Background(), t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresDSN returns VEDETTE_PG_DSN, skipping the test when it is unset
// locally and failing it when unset in CI.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("VEDETTE_PG_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("VEDETTE_PG_DSN is unset in CI: .ci/run must start PostgreSQL")
		}
		t.Skip("VEDETTE_PG_DSN unset: no PostgreSQL to test against")
	}
	return dsn
}

func openPostgres(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	dsn := PostgresDSN(t)
	schema := FreshSchema(t, dsn)
	opts.PostgresDSN = WithSearchPath(dsn, schema)
	s, err := store.OpenWith(context.Background(), "", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// FreshSchema creates an empty schema in the database of dsn and drops it
// when the test ends.
func FreshSchema(t testing.TB, dsn string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "vt_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		db.Close()
	})
	return schema
}

// WithSearchPath returns dsn (URL or key=value form) with its
// connections' search_path set to schema.
func WithSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	}
	return dsn + " search_path=" + schema
}
