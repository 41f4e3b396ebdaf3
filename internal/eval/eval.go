// Package eval scores alerts against labelled attacks: per detection, how
// many labelled attacks were found (recall) and how many alerts were real
// (precision).
package eval

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// Label is one expected alert: the detection that should fire, for whom, and
// the time and key of the event that should trigger it.
type Label struct {
	Detection string
	Principal string
	Time      time.Time
	Key       string
	Scenario  string
}

// Score is one detection's result.
type Score struct {
	Detection string
	Labels    int // labelled attacks
	Alerts    int // alerts raised
	TP        int // labels found by at least one alert
	FP        int // alerts matching no label
	FN        int // labels no alert found
	Missed    []Label
	False     []event.Alert
}

// Precision is TP alerts over all alerts (1 when there are none).
func (s Score) Precision() float64 {
	if s.Alerts == 0 {
		return 1
	}
	return float64(s.Alerts-s.FP) / float64(s.Alerts)
}

// Recall is found labels over all labels (1 when there are none).
func (s Score) Recall() float64 {
	if s.Labels == 0 {
		return 1
	}
	return float64(s.TP) / float64(s.Labels)
}

// Compare scores alerts against labels. An alert matches a label of the
// same detection and principal whose key is among the alert's evidence, or
// whose time equals the alert's time.
func Compare(labels []Label, alerts []event.Alert) []Score {
	scores := map[string]*Score{}
	get := func(d string) *Score {
		if s, ok := scores[d]; ok {
			return s
		}
		s := &Score{Detection: d}
		scores[d] = s
		return s
	}
	found := make([]bool, len(labels))
	for _, a := range alerts {
		s := get(a.Detection)
		s.Alerts++
		hit := false
		for i, l := range labels {
			if matches(l, a) {
				found[i], hit = true, true
			}
		}
		if !hit {
			s.FP++
			s.False = append(s.False, a)
		}
	}
	for i, l := range labels {
		s := get(l.Detection)
		s.Labels++
		if found[i] {
			s.TP++
		} else {
			s.FN++
			s.Missed = append(s.Missed, l)
		}
	}
	out := make([]Score, 0, len(scores))
	for _, s := range scores {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Detection < out[j].Detection })
	return out
}

func matches(l Label, a event.Alert) bool {
	if l.Detection != a.Detection || !strings.EqualFold(l.Principal, a.Principal) {
		return false
	}
	if a.Time.Equal(l.Time) {
		return true
	}
	for _, ev := range a.Evidence {
		if l.Key != "" && ev.Key == l.Key {
			return true
		}
	}
	return false
}

// Report writes a table of scores and, for each detection, up to three
// missed labels and false alerts, so a miss can be looked into.
func Report(w io.Writer, scores []Score) {
	width := len("detection")
	for _, s := range scores {
		width = max(width, len(s.Detection))
	}
	fmt.Fprintf(w, "%-*s %7s %7s %5s %5s %5s %9s %7s\n", width, "detection", "labels", "alerts", "tp", "fp", "fn", "precision", "recall")
	for _, s := range scores {
		fmt.Fprintf(w, "%-*s %7d %7d %5d %5d %5d %9.3f %7.3f\n", width, s.Detection, s.Labels, s.Alerts, s.TP, s.FP, s.FN, s.Precision(), s.Recall())
	}
	for _, s := range scores {
		for i, l := range s.Missed {
			if i == 3 {
				fmt.Fprintf(w, "  %s: %d more missed\n", s.Detection, len(s.Missed)-3)
				break
			}
			fmt.Fprintf(w, "  %s missed: %s at %s (%s)\n", s.Detection, l.Principal, l.Time.Format(time.RFC3339), l.Scenario)
		}
		for i, a := range s.False {
			if i == 3 {
				fmt.Fprintf(w, "  %s: %d more false alerts\n", s.Detection, len(s.False)-3)
				break
			}
			fmt.Fprintf(w, "  %s false alert: %s at %s: %s\n", s.Detection, a.Principal, a.Time.Format(time.RFC3339), a.Description)
		}
	}
}
