package merge

import (
	"io"
	"slices"

	"github.com/vedette/vedette/internal/event"
)

// Sorted is a source sorted by Sort. Close removes its spill files.
type Sorted struct {
	src     Source
	runSize int
	runs    *Runs
	out     Source // once sorted
	// Spilled counts the runs of sorted events written to disk; the
	// multi-level merge's runs are counted in Merged.
	Spilled, Merged int
}

// Sort returns src in order. It reads src whole at the first Next,
// holding at most runSize events: each full run is sorted and written to a
// temporary file in dir (os.TempDir when empty), and the runs are merged,
// at most fanIn files open at once (a multi-level merge past that).
func Sort(src Source, runSize int, dir string, fanIn int) *Sorted {
	return &Sorted{src: src, runSize: max(runSize, 1), runs: NewRuns(dir, fanIn)}
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
			slices.SortStableFunc(held, Compare)
			err := s.runs.Add(&slice{events: held})
			s.Spilled = s.runs.Written
			if err != nil {
				return err
			}
			held = held[:0]
		}
	}
	slices.SortStableFunc(held, Compare)
	last := &slice{events: held}
	if s.runs.Len() == 0 {
		s.out = last
		return nil
	}
	out, err := s.runs.Merge(last)
	s.Merged = s.runs.Merged
	s.out = out
	return err
}

// Close removes the spill files.
func (s *Sorted) Close() error { return s.runs.Close() }

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
