package merge

import (
	"strings"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/recycle"
)

// Stamp is an event's time as the order compares it, read while the
// event is in the processor's cache: a window releases an event thousands
// of events after it took it in, when its memory has long left the cache,
// and the merge ordering it then by its stamp does not load it again
// (the pipeline's prefetch loads it with the other events of its batch,
// their misses overlapping). Events read from logs carry no monotonic
// clock reading, so the wall time is the order Compare gives.
type Stamp struct {
	sec  int64
	nsec int32
}

// StampOf returns e's stamp.
func StampOf(e *event.Event) Stamp {
	return Stamp{sec: e.Time.Unix(), nsec: int32(e.Time.Nanosecond())}
}

// compare orders stamps: -1, 0 or +1.
func (s Stamp) compare(t Stamp) int {
	switch {
	case s.sec != t.sec:
		if s.sec < t.sec {
			return -1
		}
		return 1
	case s.nsec != t.nsec:
		if s.nsec < t.nsec {
			return -1
		}
		return 1
	}
	return 0
}

// Stamped is a Source that yields each event with its stamp.
type Stamped interface {
	Source
	NextStamped() (*event.Event, Stamp, error)
}

// stamped is an event with its stamp.
type stamped struct {
	e *event.Event
	s Stamp
}

// stampOf returns e with its stamp.
func stampOf(e *event.Event) stamped { return stamped{e: e, s: StampOf(e)} }

// compare orders a and b as Compare orders their events; the events are
// read only when their times are equal, for their keys. Built with the
// vedettepoison tag, it panics on an event released for recycling, as
// Compare does.
func (a stamped) compare(b stamped) int {
	recycle.Check(a.e)
	recycle.Check(b.e)
	if c := a.s.compare(b.s); c != 0 {
		return c
	}
	return strings.Compare(a.e.Key, b.e.Key)
}

// before reports whether a comes before the event of stamp s and key.
func (a stamped) before(s Stamp, key string) bool {
	recycle.Check(a.e)
	if c := a.s.compare(s); c != 0 {
		return c < 0
	}
	return a.e.Key < key
}
