package normalize

import (
	"bytes"
	"errors"
	"net/netip"
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
	f.Add([]byte("{\"time\":\"2024\n{\"category\":\"SignInLogs\"}\n\n{}\n"))
	f.Add([]byte("{{{{\n[1,2]\n"))
	f.Add([]byte("TenantId,TimeGenerated [UTC],UserPrincipalName,IPAddress,ResultType\nt,\"unclosed,u,1.2.3.4,0\nt,2024-03-11,u,999.1.1.1,0\n"))
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

// FuzzParseIP: an address comes back only when the value is one (alone or
// with a port), and a value is either an address, a rejection or nothing.
func FuzzParseIP(f *testing.F) {
	for _, s := range []string{"203.0.113.7", "[2001:db8::1]:443", "999.1.1.1", " 8.8.8.8 ", "a, b", "ec2.amazonaws.com", "::ffff:1.2.3.4", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, bad := parseIP("f", s)
		if a.IsValid() && bad != "" {
			t.Fatalf("%q: both an address and a rejection", s)
		}
		if a.IsValid() {
			_, err1 := netip.ParseAddr(s)
			_, err2 := netip.ParseAddrPort(s)
			if err1 != nil && err2 != nil {
				t.Fatalf("%q accepted as %v", s, a)
			}
		}
	})
}
