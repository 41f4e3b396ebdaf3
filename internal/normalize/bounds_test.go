package normalize

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/input"
)

// peakHeap runs fn under a 256 MiB soft memory limit and returns the
// highest live heap sampled while it ran, above the heap before.
func peakHeap(t *testing.T, fn func()) uint64 {
	t.Helper()
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	debug.FreeOSMemory()
	base := read()
	var peak atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Microsecond):
			}
		}
	}()
	fn()
	close(stop)
	<-done
	t.Logf("peak live heap %.1f MiB above %.1f MiB", float64(peak.Load()-min(base, peak.Load()))/(1<<20), float64(base)/(1<<20))
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

// counter is a Sink that keeps counts only, so the heap measured is the
// reader's.
type counter struct {
	events  int
	reasons map[string]int
	first   []Rejection
}

func (c *counter) Event(*event.Event) { c.events++ }
func (c *counter) Reject(r Rejection) {
	if c.reasons == nil {
		c.reasons = map[string]int{}
	}
	c.reasons[r.Reason]++
	if len(c.first) < 4 {
		c.first = append(c.first, r)
	}
}

// zeros is an endless stream of NUL bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// signInLines returns n distinct Entra sign-in records, one per line, made
// from the first record of testdata/mixed.jsonl.
func signInLines(t *testing.T, n int) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "mixed.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, _, _ := bytes.Cut(raw, []byte("\n"))
	const id = "8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e01"
	if !bytes.Contains(tmpl, []byte(id)) {
		t.Fatal("template record lost its id")
	}
	var b bytes.Buffer
	for i := range n {
		b.Write(bytes.ReplaceAll(tmpl, []byte(id), fmt.Appendf(nil, "8c1d2e3f-4a5b-4c6d-8e7f-%012d", i)))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

const memBound = 32 << 20 // what a reader may hold beyond its sink

func TestCSVHeaderBounded(t *testing.T) {
	var err error
	peak := peakHeap(t, func() {
		_, err = Read("zeros.csv", io.LimitReader(zeros{}, 1<<30), &counter{})
	})
	if SourceReason(err) != "unknown-format" || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("err = %v, want an unknown format for an over-long header", err)
	}
	if peak > memBound {
		t.Fatalf("a 1 GiB header held %d MiB", peak>>20)
	}
}

func TestCSVUnclosedQuoteCostsOneRecord(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "la-signin.csv"))
	if err != nil {
		t.Fatal(err)
	}
	clean := &counter{}
	if _, err := Read("la-signin.csv", bytes.NewReader(raw), clean); err != nil || clean.events == 0 {
		t.Fatalf("clean file: %d events, %v", clean.events, err)
	}
	header, rows, _ := bytes.Cut(raw, []byte("\n"))
	// header, an unclosed quote and 64 MiB without one, then the rows.
	src := io.MultiReader(bytes.NewReader(header), strings.NewReader("\n\"unclosed,"),
		io.LimitReader(zeros{}, 64<<20), strings.NewReader("\n"), bytes.NewReader(rows))
	got := &counter{}
	peak := peakHeap(t, func() { _, err = Read("quote.csv", src, got) })
	if err != nil {
		t.Fatal(err)
	}
	if got.events != clean.events || got.reasons["record-too-long"] != 1 {
		t.Fatalf("%d events (want %d), rejections %v", got.events, clean.events, got.reasons)
	}
	if r := got.first[0]; r.Record != 1 {
		t.Fatalf("rejection at record %d, want 1", r.Record)
	}
	if peak > memBound {
		t.Fatalf("an unclosed quote held %d MiB", peak>>20)
	}
}

func TestJSONLinesBadFirstLineKeepsTheRest(t *testing.T) {
	const n = 12000 // about 30 MiB
	body := signInLines(t, n)
	for name, first := range map[string][]byte{
		"truncated": []byte(`{"time":"2024-03-11T09:00:01Z","category":"SignInLogs","properties":{"id":"x`),
		"too long":  append(append([]byte(`{"time":"`), bytes.Repeat([]byte("9"), maxLine+10)...), `"}`...),
		"garbage":   []byte(`{{{{`),
	} {
		t.Run(name, func(t *testing.T) {
			in := append(append(append([]byte(nil), first...), '\n'), body...)
			got := &counter{}
			var err error
			peak := peakHeap(t, func() { _, err = Read("broken.jsonl", bytes.NewReader(in), got) })
			if err != nil {
				t.Fatal(err)
			}
			if got.events != n || len(got.first) != 1 || got.first[0].Record != 1 {
				t.Fatalf("%d events of %d, rejections %v", got.events, n, got.first)
			}
			if peak > memBound+uint64(len(first)) {
				t.Fatalf("reading %d MiB held %d MiB", len(in)>>20, peak>>20)
			}
		})
	}
}

func TestGzipBombKeepsRecordsBefore(t *testing.T) {
	const n = 200
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(signInLines(t, n))
	io.Copy(zw, io.LimitReader(zeros{}, 64<<20))
	zw.Close()
	got := &counter{}
	var err error
	peak := peakHeap(t, func() { _, err = Read("bomb.jsonl.gz", bytes.NewReader(z.Bytes()), got) })
	if !errors.Is(err, input.ErrRatio) || SourceReason(err) != "decompression-bomb" {
		t.Fatalf("err = %v (%s), want the ratio refusal", err, SourceReason(err))
	}
	if got.events != n {
		t.Fatalf("%d events of the %d before the bomb", got.events, n)
	}
	if peak > memBound {
		t.Fatalf("a %d KiB bomb held %d MiB", z.Len()>>10, peak>>20)
	}
}

func TestDocumentBounded(t *testing.T) {
	// "[" then no end: a document. One endless line is read up to
	// maxDocument and refused; blanks are not kept, and the document is
	// the unclosed "[" alone.
	for name, rest := range map[string]io.Reader{"zeros": io.LimitReader(zeros{}, 1<<30), "spaces": io.LimitReader(spaces{}, 2*maxDocument)} {
		t.Run(name, func(t *testing.T) {
			src := io.MultiReader(strings.NewReader("[\n"), rest)
			var err error
			got := &counter{}
			peak := peakHeap(t, func() { _, err = Read("doc.json", bufio.NewReader(src), got) })
			if name == "zeros" && (err == nil || !strings.Contains(err.Error(), "larger than")) {
				t.Fatalf("err = %v, want a refusal", err)
			}
			if name == "spaces" && (err != nil || got.reasons["invalid-json"] != 1) {
				t.Fatalf("err = %v, rejections %v; want the unclosed array rejected", err, got.reasons)
			}
			if peak > maxDocument+memBound {
				t.Fatalf("a 1 GiB document held %d MiB (bound %d MiB)", peak>>20, maxDocument>>20)
			}
		})
	}
}

// spaces is an endless stream of blanks (no newline).
type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}
