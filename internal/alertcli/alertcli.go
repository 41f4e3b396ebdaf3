// Package alertcli is `vedette alerts`: stored alerts and incidents listed
// as a table or exported as JSON lines, straight from the store.
package alertcli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
)

// Store is what listing needs of the store.
type Store interface {
	Alerts(ctx context.Context, f store.AlertFilter) (store.AlertPage, error)
	Incidents(ctx context.Context, f store.IncidentFilter) (store.IncidentPage, error)
}

// Options select and format what is listed.
type Options struct {
	Since      time.Time // alerts by event time, incidents by last activity
	Detections []string
	Statuses   []event.Status
	Incidents  bool   // list incidents instead of alerts
	Format     string // "table" (default) or "json" (JSON lines)
	Limit      int    // at most this many; 0 = all
}

// ParseSince reads -since: a duration back from now ("24h", "7d") or a
// date or time (RFC 3339, or 2006-01-02).
func ParseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("-since %q: want a duration (24h, 7d) or a date (2006-01-02, RFC 3339)", s)
}

// List writes what opts selects to w.
func List(ctx context.Context, s Store, opts Options, w io.Writer) error {
	switch opts.Format {
	case "", "table", "json":
	default:
		return fmt.Errorf("-format %q: want table or json", opts.Format)
	}
	if opts.Incidents {
		return listIncidents(ctx, s, opts, w)
	}
	return listAlerts(ctx, s, opts, w)
}

// pageSize is how many rows each store query reads.
const pageSize = 500

func listAlerts(ctx context.Context, s Store, opts Options, w io.Writer) error {
	f := store.AlertFilter{Since: opts.Since, Detections: opts.Detections, Statuses: opts.Statuses, Limit: pageSize}
	out := newWriter(w, opts.Format, "TIME\tSEVERITY\tSTATUS\tDETECTION\tPRINCIPAL\tINCIDENT\tID")
	n := 0
	for {
		page, err := s.Alerts(ctx, f)
		if err != nil {
			return err
		}
		for _, a := range page.Alerts {
			if opts.Limit > 0 && n == opts.Limit {
				return out.flush()
			}
			n++
			err := out.row(a, a.Time.UTC().Format(time.RFC3339), string(a.Severity), string(a.Triage.Status),
				a.Detection, a.Principal, a.Triage.Incident, a.ID)
			if err != nil {
				return err
			}
		}
		if page.Next == "" {
			return out.flush()
		}
		f.Cursor = page.Next
	}
}

func listIncidents(ctx context.Context, s Store, opts Options, w io.Writer) error {
	f := store.IncidentFilter{Since: opts.Since, Statuses: opts.Statuses, Limit: pageSize}
	out := newWriter(w, opts.Format, "LAST SEEN\tSEVERITY\tSTATUS\tALERTS\tTITLE\tID")
	n := 0
	for {
		page, err := s.Incidents(ctx, f)
		if err != nil {
			return err
		}
		for _, inc := range page.Incidents {
			if len(opts.Detections) > 0 && !slices.ContainsFunc(opts.Detections, func(d string) bool { return slices.Contains(inc.Detections, d) }) {
				continue
			}
			if opts.Limit > 0 && n == opts.Limit {
				return out.flush()
			}
			n++
			err := out.row(inc, inc.LastSeen.UTC().Format(time.RFC3339), string(inc.Severity), string(inc.Status),
				fmt.Sprint(inc.AlertCount), inc.Title, inc.ID)
			if err != nil {
				return err
			}
		}
		if page.Next == "" {
			return out.flush()
		}
		f.Cursor = page.Next
	}
}

// writer writes rows as a table or values as JSON lines.
type writer struct {
	tw  *tabwriter.Writer
	enc *json.Encoder
}

func newWriter(w io.Writer, format, header string) *writer {
	if format == "json" {
		return &writer{enc: json.NewEncoder(w)}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	return &writer{tw: tw}
}

func (w *writer) row(v any, cols ...string) error {
	if w.enc != nil {
		return w.enc.Encode(v)
	}
	for i, c := range cols {
		cols[i] = strings.Map(inert, c)
	}
	_, err := fmt.Fprintln(w.tw, strings.Join(cols, "\t"))
	return err
}

// inert makes a rune of alert data safe for a table on a terminal: the
// data comes from logs an attacker writes to (a failed sign-in keeps the
// user name as typed), so line breaks and tabs become spaces and every
// other control character, escape sequences' ESC and C1 CSI included,
// becomes '?'.
func inert(r rune) rune {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return ' '
	case unicode.IsControl(r):
		return '?'
	}
	return r
}

func (w *writer) flush() error {
	if w.tw != nil {
		return w.tw.Flush()
	}
	return nil
}
