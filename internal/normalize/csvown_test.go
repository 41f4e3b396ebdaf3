package normalize

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/vedette/vedette/internal/event"
)

// snapshotSink keeps each event and a print of it taken when it arrived.
type snapshotSink struct {
	collector
	printed []string
}

func (s *snapshotSink) Event(e *event.Event) {
	s.collector.Event(e)
	s.printed = append(s.printed, fmt.Sprintf("%#v", *e))
}

// TestCSVEventsOwned: the events of a Log Analytics CSV export own their
// strings as those of JSON records do. A value repeated from row to row
// is one shared copy, not a slice of each row (which would keep the whole
// row alive as long as the event, or the baseline, holds the value), and
// no event changes once handed over while later rows are read.
func TestCSVEventsOwned(t *testing.T) {
	for _, name := range []string{"la-signin.csv", "la-auditlogs.csv"} {
		f, err := os.Open(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		sink := &snapshotSink{}
		_, err = Read(name, f, sink)
		f.Close()
		if err != nil || len(sink.events) < 2 {
			t.Fatalf("%s: %d events, %v", name, len(sink.events), err)
		}
		copies := map[string]*byte{}
		shared := 0
		for i, e := range sink.events {
			if got := fmt.Sprintf("%#v", *e); got != sink.printed[i] {
				t.Errorf("%s: event %d changed after it was handed over:\n%s\nwas\n%s", name, i, got, sink.printed[i])
			}
			for _, s := range []string{e.Tenant, e.Subscription, e.UserAgent, e.AppID, e.AppName, e.Operation,
				e.Category, e.ResultCode, e.Resource, e.Location.Country, e.Location.City, e.Principal} {
				if s == "" {
					continue
				}
				p, ok := copies[s]
				switch {
				case !ok:
					copies[s] = unsafe.StringData(s)
				case p != unsafe.StringData(s):
					t.Errorf("%s: event %d: %q is not the copy earlier events share", name, i, s)
				default:
					shared++
				}
			}
		}
		if shared == 0 {
			t.Errorf("%s: no value repeats from row to row: the test shows nothing", name)
		}
	}
}
