package gen

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"
)

// item is one record waiting to be written in time order.
type item struct {
	t   time.Time
	id  string
	rec any
}

// stream writes JSON lines sorted by time. Records are added out of order
// within a sliding window and flushed once nothing earlier can come.
type stream struct {
	f          *os.File
	w          *bufio.Writer
	enc        *json.Encoder
	pending    []item
	start, end time.Time
	n          int
}

func newStream(path string, start, end time.Time) (*stream, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &stream{f: f, w: w, enc: enc, start: start, end: end}, nil
}

// add queues rec; records outside [start, end) are dropped, so the month
// has sharp edges whatever the time zones.
func (s *stream) add(t time.Time, id string, rec any) {
	if t.Before(s.start) || !t.Before(s.end) {
		return
	}
	s.pending = append(s.pending, item{t: t, id: id, rec: rec})
}

// flush writes every queued record before cut, in (time, id) order.
func (s *stream) flush(cut time.Time) error {
	slices.SortFunc(s.pending, func(a, b item) int {
		return cmp.Or(a.t.Compare(b.t), cmp.Compare(a.id, b.id))
	})
	i := 0
	for ; i < len(s.pending) && s.pending[i].t.Before(cut); i++ {
		if err := s.enc.Encode(s.pending[i].rec); err != nil {
			return fmt.Errorf("gen: write %s: %w", s.f.Name(), err)
		}
		s.n++
	}
	s.pending = append(s.pending[:0], s.pending[i:]...)
	return nil
}

// close flushes everything left and closes the file.
func (s *stream) close() error {
	err := s.flush(s.end.Add(time.Hour))
	if ferr := s.w.Flush(); err == nil {
		err = ferr
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("gen: close %s: %w", s.f.Name(), err)
	}
	return nil
}
