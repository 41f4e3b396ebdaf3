package api

import (
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
)

// Page sizes.
const (
	defaultLimit = 50
	maxLimit     = 500
)

var (
	severities      = []event.Severity{event.SeverityLow, event.SeverityMedium, event.SeverityHigh}
	statuses        = []event.Status{event.StatusNew, event.StatusActive, event.StatusResolved, event.StatusDismissed}
	classifications = []event.Classification{event.TruePositive, event.BenignPositive, event.FalsePositive}
	sorts           = []string{"-time", "time", "-severity", "severity"}
)

// alertFilter reads the alert filters of a query string.
func alertFilter(q url.Values) (store.AlertFilter, error) {
	f := store.AlertFilter{
		Detections: q["detection"], Tenants: q["tenant"], Subscriptions: q["subscription"],
		Principal: q.Get("principal"), Host: q.Get("host"), IP: q.Get("ip"),
		Incident: q.Get("incident"), Text: q.Get("q"), Sort: q.Get("sort"), Cursor: q.Get("cursor"),
	}
	var err error
	if f.Since, f.Until, err = timeRange(q); err != nil {
		return f, err
	}
	if f.Severities, err = oneOf("severity", q["severity"], severities); err != nil {
		return f, err
	}
	if f.Statuses, err = oneOf("status", q["status"], statuses); err != nil {
		return f, err
	}
	if f.Classifications, err = oneOf("classification", q["classification"], classifications); err != nil {
		return f, err
	}
	if f.Sort != "" && !slices.Contains(sorts, f.Sort) {
		return f, badf("sort: %q is not one of %v", f.Sort, sorts)
	}
	f.Limit, err = limit(q)
	return f, err
}

// incidentFilter reads the incident filters of a query string.
func incidentFilter(q url.Values) (store.IncidentFilter, error) {
	f := store.IncidentFilter{Cursor: q.Get("cursor")}
	var err error
	if f.Since, f.Until, err = timeRange(q); err != nil {
		return f, err
	}
	if f.Statuses, err = oneOf("status", q["status"], statuses); err != nil {
		return f, err
	}
	f.Limit, err = limit(q)
	return f, err
}

func timeRange(q url.Values) (since, until time.Time, err error) {
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"since", &since}, {"until", &until}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		if *p.t, err = time.Parse(time.RFC3339, v); err != nil {
			return since, until, badf("%s: want an RFC 3339 time, e.g. 2026-01-02T15:04:05Z", p.name)
		}
	}
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		return since, until, badf("since must be before until")
	}
	return since, until, nil
}

// oneOf converts query values to T, refusing values not in allowed.
func oneOf[T ~string](name string, vs []string, allowed []T) ([]T, error) {
	var out []T
	for _, v := range vs {
		if !slices.Contains(allowed, T(v)) {
			return nil, badf("%s: %q is not one of %v", name, v, allowed)
		}
		out = append(out, T(v))
	}
	return out, nil
}

// limit reads the page size: default 50, capped at 500.
func limit(q url.Values) (int, error) {
	v := q.Get("limit")
	if v == "" {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, badf("limit: want a positive integer")
	}
	return min(n, maxLimit), nil
}
