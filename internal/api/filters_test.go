package api

import (
	"net/url"
	"testing"
)

// FuzzAlertFilter: any query string either is refused as a bad request or
// gives a filter whose page size is within bounds and whose enumerations
// hold only known values.
func FuzzAlertFilter(f *testing.F) {
	for _, seed := range []string{
		"", "severity=High&severity=Medium&limit=20", "since=2026-10-01T00:00:00Z&until=2026-10-02T00:00:00Z",
		"limit=100000", "limit=-1", "sort=-severity&status=new&classification=false_positive", "q=%00%ff&cursor=abc",
		"since=2026-10-02T00:00:00Z&until=2026-10-01T00:00:00Z", "severity=critical", "limit=1e3",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		flt, err := alertFilter(q)
		if err != nil {
			if _, ok := err.(badRequest); !ok {
				t.Fatalf("%q: %T %v, want a bad request", raw, err, err)
			}
			return
		}
		if flt.Limit < 1 || flt.Limit > maxLimit {
			t.Fatalf("%q: limit %d", raw, flt.Limit)
		}
		for _, s := range flt.Severities {
			if _, err := oneOf("severity", []string{string(s)}, severities); err != nil {
				t.Fatalf("%q: severity %q accepted", raw, s)
			}
		}
		if !flt.Since.IsZero() && !flt.Until.IsZero() && !flt.Since.Before(flt.Until) {
			t.Fatalf("%q: empty time range accepted", raw)
		}
	})
}
