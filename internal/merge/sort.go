package merge

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/vedette/vedette/internal/event"
)

// Sorted is a source sorted by Sort. Close removes its spill files.
type Sorted struct {
	src     Source
	runSize int
	dir     string
	out     Source // once sorted
	runs    []*run
	// Spilled counts the runs written to disk.
	Spilled int
}

// Sort returns src in order. It reads src whole at the first Next,
// holding at most runSize events: each full run is sorted and written to a
// temporary file in dir (os.TempDir when empty), and the runs are merged.
func Sort(src Source, runSize int, dir string) *Sorted {
	return &Sorted{src: src, runSize: max(runSize, 1), dir: dir}
}

// Next implements Source.
func (s *Sorted) Next() (*event.Event, error) {
	if s.out == nil {
		if err := s.sort(); err != nil {
			return nil, err
		}
	}
	return s.out.Next()
}

func (s *Sorted) sort() error {
	var held []*event.Event
	for {
		e, err := s.src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		held = append(held, e)
		if len(held) == s.runSize {
			if err := s.spill(held); err != nil {
				return err
			}
			clear(held)
			held = held[:0]
		}
	}
	slices.SortStableFunc(held, compare)
	last := &slice{events: held}
	if len(s.runs) == 0 {
		s.out = last
		return nil
	}
	sources := make([]Source, 0, len(s.runs)+1)
	for _, r := range s.runs {
		if err := r.open(); err != nil {
			return err
		}
		sources = append(sources, r)
	}
	s.out = Merge(append(sources, last))
	return nil
}

func compare(a, b *event.Event) int {
	switch {
	case Less(a, b):
		return -1
	case Less(b, a):
		return 1
	}
	return 0
}

// spill writes held, sorted, to a new run file.
func (s *Sorted) spill(held []*event.Event) error {
	slices.SortStableFunc(held, compare)
	f, err := os.CreateTemp(s.dir, "vedette-sort-*.run")
	if err != nil {
		return fmt.Errorf("merge: spill: %w", err)
	}
	r := &run{path: f.Name()}
	s.runs = append(s.runs, r)
	s.Spilled++
	w := bufio.NewWriterSize(f, 256<<10)
	enc := gob.NewEncoder(w)
	for _, e := range held {
		if err := enc.Encode(e); err != nil {
			f.Close()
			return fmt.Errorf("merge: spill: %w", err)
		}
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		return fmt.Errorf("merge: spill: %w", err)
	}
	return nil
}

// Close removes the spill files.
func (s *Sorted) Close() error {
	var errs []error
	for _, r := range s.runs {
		if r.f != nil {
			r.f.Close()
		}
		if err := os.Remove(r.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	s.runs = nil
	return errors.Join(errs...)
}

// run is a sorted run on disk.
type run struct {
	path string
	f    *os.File
	dec  *gob.Decoder
}

func (r *run) open() error {
	f, err := os.Open(r.path)
	if err != nil {
		return fmt.Errorf("merge: run: %w", err)
	}
	r.f, r.dec = f, gob.NewDecoder(bufio.NewReaderSize(f, 64<<10))
	return nil
}

func (r *run) Next() (*event.Event, error) {
	e := new(event.Event)
	if err := r.dec.Decode(e); err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("merge: run %s: %w", r.path, err)
	}
	return e, nil
}

// slice yields held events.
type slice struct {
	events []*event.Event
	i      int
}

func (s *slice) Next() (*event.Event, error) {
	if s.i == len(s.events) {
		return nil, io.EOF
	}
	e := s.events[s.i]
	s.events[s.i] = nil
	s.i++
	return e, nil
}
