// Package formattest gives the format and transport tests the shared finding
// fixtures (real alerts from the sample data, in every change kind, plus one
// full of characters the formats must escape) and golden-file comparison.
package formattest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Changes returns the fixture changes, in Seq order.
func Changes(t testing.TB) []event.Change {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(self), "..", "testdata", "changes.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []event.Change
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c event.Change
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// Golden compares got with testdata/<name>, rewriting it under -update.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// Indent pretty-prints JSON for readable golden files.
func Indent(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return append(buf.Bytes(), '\n')
}

// GoldenJSON renders every fixture change with format and compares each,
// indented, with testdata/<seq>-<kind>.json.
func GoldenJSON(t *testing.T, format func(event.Change) ([]byte, error)) {
	t.Helper()
	for _, c := range Changes(t) {
		t.Run(fmt.Sprint(c.Seq), func(t *testing.T) {
			b, err := format(c)
			if err != nil {
				t.Fatal(err)
			}
			Golden(t, fmt.Sprintf("%d-%s.json", c.Seq, c.Kind), Indent(t, b))
		})
	}
}
