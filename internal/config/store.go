package config

import (
	"fmt"
	"os"
	"time"
)

// Store chooses where alerts, triage and detection state are kept.
type Store struct {
	// Postgres, when its dsn_env is set, stores in PostgreSQL instead of
	// the SQLite file in data_dir.
	Postgres Postgres `yaml:"postgres"`
	// IncidentWindow is the longest span of one incident. Default 24h.
	IncidentWindow time.Duration `yaml:"incident_window"`
}

// Postgres names the environment variable holding the connection string,
// so the password stays out of the file.
type Postgres struct {
	DSNEnv string `yaml:"dsn_env"`
}

// DefaultStore is SQLite with 24-hour incidents.
func DefaultStore() Store { return Store{IncidentWindow: 24 * time.Hour} }

func (s *Store) validate() []error {
	if s.IncidentWindow <= 0 {
		return []error{fmt.Errorf("store.incident_window: %s must be positive", s.IncidentWindow)}
	}
	return nil
}

// PostgresDSN returns the configured connection string, "" for SQLite,
// or an error when the named variable is empty.
func (s *Store) PostgresDSN() (string, error) {
	if s.Postgres.DSNEnv == "" {
		return "", nil
	}
	dsn := os.Getenv(s.Postgres.DSNEnv)
	if dsn == "" {
		return "", fmt.Errorf("store.postgres.dsn_env: %s is empty", s.Postgres.DSNEnv)
	}
	return dsn, nil
}
