package normalize

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/input"
)

// FuzzRead checks that no input panics, that every record yields an event
// or a rejection, and that errors only ever mean an unusable source.
func FuzzRead(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*"))
	if dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "testdata-external")); err == nil {
		for _, sub := range []string{"microsoft-docs-examples/*.json", "azure-sentinel-training-lab/disable_accounts.csv"} {
			more, _ := filepath.Glob(filepath.Join(dir, sub))
			seeds = append(seeds, more...)
		}
	}
	for _, path := range seeds {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b)
			f.Add(gzipped(f, b))
		}
	}
	f.Add([]byte("{\"records\":[{\"time\":1}]}\n"))
	f.Add([]byte("[{},\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &collector{}
		_, err := Read("fuzz", bytes.NewReader(in), c)
		if err != nil && !errors.Is(err, ErrUnknownFormat) && !isReadError(err) {
			t.Fatalf("unexpected error class: %v", err)
		}
		for _, e := range c.events {
			if e.Time.IsZero() || e.Principal == "" || e.Key == "" || e.Origin.Record < 1 {
				t.Fatalf("incomplete event %+v", *e)
			}
		}
		for _, r := range c.rejections {
			if r.Reason == "" || r.Record < 1 {
				t.Fatalf("incomplete rejection %+v", r)
			}
		}
	})
}

// isReadError reports errors that come from reading the bytes themselves
// (a corrupt gzip stream, an oversized document, a CSV reader failure).
func isReadError(err error) bool {
	if errors.Is(err, input.ErrRatio) || errors.Is(err, input.ErrUnsupported) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "gzip") || strings.Contains(s, "flate") || strings.Contains(s, "larger than") ||
		strings.Contains(s, "unexpected EOF") || strings.Contains(s, "checksum")
}
