package deliver

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format/formattest"
	"github.com/vedette/vedette/internal/notify/file"
	"github.com/vedette/vedette/internal/store"
)

// BenchmarkFormat renders the fixture changes (real alerts) in each format.
func BenchmarkFormat(b *testing.B) {
	changes := formattest.Changes(b)
	for _, name := range []string{"json", "ocsf", "sentinel", "cef"} {
		f := Formats[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				out, err := f(changes[n%len(changes)])
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(out)))
				n++
			}
		})
	}
}

// BenchmarkDrainToFile measures delivery from the SQLite outbox to a file
// output (OCSF, batches of 100, fsync per batch): changes per second.
func BenchmarkDrainToFile(b *testing.B) {
	const n = 2000
	st, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	base := formattest.Changes(b)[0].Alert
	alerts := make([]event.Alert, n)
	for i := range alerts {
		alerts[i] = base
		alerts[i].ID = fmt.Sprintf("%s-%05d", base.ID, i)
	}
	if _, err := st.Insert(b.Context(), alerts); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		fn, err := file.New(file.Config{Path: filepath.Join(dir, fmt.Sprintf("out-%d.jsonl", i))}, Formats["ocsf"], nil)
		if err != nil {
			b.Fatal(err)
		}
		d, err := New(st, []Output{{Name: fmt.Sprintf("bench-%d", i), Notifier: fn}}, Deps{})
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Drain(b.Context()); err != nil {
			b.Fatal(err)
		}
		fn.Close()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "changes/s")
}
