package merge

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/vedette/vedette/internal/event"
)

// DefaultFanIn is how many runs a merge of Runs reads at once unless told
// otherwise: one descriptor and a 64 KiB read buffer each.
const DefaultFanIn = 64

// Runs are sorted runs of events on disk, in order: where two runs hold
// equal events, the earlier run's go first, so that merging runs written
// from consecutive pieces of one order gives that order back. However many
// runs there are, at most FanIn are open at once: more are first merged,
// FanIn consecutive runs at a time, into longer runs (a multi-level merge).
type Runs struct {
	dir   string
	fanIn int
	list  []*run
	// Written counts the runs written by Add; Merged, those written by
	// merging runs to bring their number down to the fan-in.
	Written, Merged int
}

// NewRuns returns an empty set of runs stored in dir (os.TempDir when
// empty), merged at most fanIn (at least 2) at a time.
func NewRuns(dir string, fanIn int) *Runs {
	return &Runs{dir: dir, fanIn: max(fanIn, 2)}
}

// Len is the number of runs on disk.
func (rs *Runs) Len() int { return len(rs.list) }

// Add writes src, which must be in order, as the last run. An error of
// src is returned as is, and the partial run removed.
func (rs *Runs) Add(src Source) error {
	r, err := rs.write(src)
	if err != nil {
		return err
	}
	rs.list = append(rs.list, r)
	rs.Written++
	return nil
}

// Merge returns the events of the runs, then of tail, in one order: ties
// go to the earlier run, then to tail's sources in their order. It first
// merges runs until they and tail fit in the fan-in (tail's sources count
// against it). The runs are read by the returned source; Close removes
// them.
func (rs *Runs) Merge(tail ...Source) (Source, error) {
	limit := max(rs.fanIn-len(tail), 1)
	for len(rs.list) > limit {
		if err := rs.level(); err != nil {
			return nil, err
		}
	}
	sources := make([]Source, 0, len(rs.list)+len(tail))
	for _, r := range rs.list {
		if err := r.open(); err != nil {
			return nil, err
		}
		sources = append(sources, r)
	}
	return Merge(append(sources, tail...)), nil
}

// level merges the runs fanIn consecutive ones at a time.
func (rs *Runs) level() error {
	var next []*run
	for i := 0; i < len(rs.list); i += rs.fanIn {
		group := rs.list[i:min(i+rs.fanIn, len(rs.list))]
		if len(group) == 1 {
			next = append(next, group[0])
			continue
		}
		merged, err := rs.mergeRuns(group)
		if err != nil {
			rs.list = append(next, rs.list[i:]...)
			return err
		}
		next = append(next, merged)
		rs.Merged++
	}
	rs.list = next
	return nil
}

// mergeRuns writes the merge of group as one run and removes group's.
func (rs *Runs) mergeRuns(group []*run) (*run, error) {
	sources := make([]Source, len(group))
	for i, r := range group {
		if err := r.open(); err != nil {
			return nil, err
		}
		sources[i] = r
	}
	merged, err := rs.write(Merge(sources))
	var errs []error
	if err == nil {
		for _, r := range group {
			errs = append(errs, r.remove())
		}
	}
	return merged, errors.Join(append(errs, err)...)
}

// write writes the events of src to a new run file.
func (rs *Runs) write(src Source) (*run, error) {
	f, err := os.CreateTemp(rs.dir, "vedette-sort-*.run")
	if err != nil {
		return nil, fmt.Errorf("merge: spill: %w", err)
	}
	r := &run{path: f.Name()}
	w := bufio.NewWriterSize(f, 256<<10)
	enc := gob.NewEncoder(w)
	for {
		e, err := src.Next()
		if err == io.EOF {
			break
		}
		if err == nil {
			err = enc.Encode(e)
			if err != nil {
				err = fmt.Errorf("merge: spill: %w", err)
			}
		}
		if err != nil {
			f.Close()
			r.remove()
			return nil, err
		}
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		r.remove()
		return nil, fmt.Errorf("merge: spill: %w", err)
	}
	return r, nil
}

// Close closes and removes the runs.
func (rs *Runs) Close() error {
	var errs []error
	for _, r := range rs.list {
		errs = append(errs, r.remove())
	}
	rs.list = nil
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

// Next implements Source; the run's file is closed at its end.
func (r *run) Next() (*event.Event, error) {
	if r.dec == nil {
		return nil, io.EOF
	}
	e := new(event.Event)
	if err := r.dec.Decode(e); err != nil {
		r.f.Close()
		r.f, r.dec = nil, nil
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("merge: run %s: %w", r.path, err)
	}
	return e, nil
}

// remove closes the run's file if open and removes it.
func (r *run) remove() error {
	if r.f != nil {
		r.f.Close()
		r.f, r.dec = nil, nil
	}
	if err := os.Remove(r.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
