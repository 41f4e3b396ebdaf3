package gen

import (
	"os"
	"path/filepath"
)

// ActivityLines generates cfg's organisation in a scratch directory and
// returns its sign-ins followed by its ARM activity, as JSON lines: the
// input benchmarks measure the activity path on.
func ActivityLines(cfg Config) ([]byte, error) {
	dir, err := os.MkdirTemp("", "vedette-gen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if _, err := Generate(dir, cfg); err != nil {
		return nil, err
	}
	var all []byte
	for _, f := range []string{SignInsFile, ActivityFile} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		all = append(all, b...)
	}
	return all, nil
}

// BenchConfig is the organisation the activity benchmarks use: 80 users
// over 12 days, about 20k records of ≈2 KB.
func BenchConfig() Config {
	cfg := DefaultConfig()
	cfg.Users, cfg.Days = 80, 12
	return cfg
}
