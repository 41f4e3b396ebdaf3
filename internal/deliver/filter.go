package deliver

import (
	"fmt"
	"slices"

	"github.com/vedette/vedette/internal/event"
)

// Filter selects the changes an output receives. Empty fields match all.
// A change filtered out still moves the output's cursor.
type Filter struct {
	MinSeverity event.Severity `yaml:"min_severity"` // Low, Medium or High
	Detections  []string       `yaml:"detections"`
	Tenants     []string       `yaml:"tenants"`
	// IncludeSuppressed also delivers alerts a suppression rule dismissed
	// (stored, counted, and by default kept from every output). Reopened,
	// such an alert is delivered either way.
	IncludeSuppressed bool `yaml:"include_suppressed"`
}

var severityRank = map[event.Severity]int{event.SeverityLow: 1, event.SeverityMedium: 2, event.SeverityHigh: 3}

// Validate checks the severity name.
func (f Filter) Validate() error {
	if _, ok := severityRank[f.MinSeverity]; f.MinSeverity != "" && !ok {
		return fmt.Errorf("min_severity %q: want Low, Medium or High", f.MinSeverity)
	}
	return nil
}

// Match reports whether c passes the filter.
func (f Filter) Match(c *event.Change) bool {
	a := &c.Alert
	if !f.IncludeSuppressed && c.Triage.SuppressedBy != "" && c.Triage.Status == event.StatusDismissed {
		return false
	}
	if f.MinSeverity != "" && severityRank[a.Severity] < severityRank[f.MinSeverity] {
		return false
	}
	if len(f.Detections) > 0 && !slices.Contains(f.Detections, a.Detection) {
		return false
	}
	return len(f.Tenants) == 0 || slices.Contains(f.Tenants, a.Tenant)
}
