package store_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// corpus is n varied alerts: detections, severities, tenants, principals,
// hosts and IPs drawn from small sets so filters select real subsets,
// times with ties so the ID breaks them.
func corpus(n int) []event.Alert {
	r := rand.New(rand.NewPCG(1, 2))
	dets := []string{"impossible-travel", "microburst", "ssh-incoming-many-to-one", "anonymous-ip"}
	sevs := []event.Severity{event.SeverityLow, event.SeverityMedium, event.SeverityHigh}
	out := make([]event.Alert, n)
	for i := range out {
		ip := fmt.Sprintf("198.51.100.%d", r.IntN(20))
		a := event.Alert{
			ID: fmt.Sprintf("id-%04d", r.IntN(1_000_000)*10000+i), Detection: dets[r.IntN(len(dets))], Name: "x",
			Severity: sevs[r.IntN(3)], Time: t0.Add(time.Duration(r.IntN(200)) * time.Minute),
			Tenant: []string{"contoso", "fabrikam"}[r.IntN(2)], Subscription: fmt.Sprintf("sub-%d", r.IntN(3)),
			Principal: fmt.Sprintf("User%d@contoso.com", r.IntN(12)),
			Entities:  []event.Entity{{Type: "ip", ID: ip}},
			Evidence:  []event.Evidence{{IP: fmt.Sprintf("192.0.2.%d", r.IntN(30))}},
		}
		if r.IntN(3) == 0 {
			a.Entities = append(a.Entities, event.Entity{Type: "host", ID: fmt.Sprintf("web-%02d", r.IntN(5))})
		}
		out[i] = a
	}
	return out
}

// reference filters and sorts in Go what the store must return.
func reference(all []store.StoredAlert, f store.AlertFilter) []string {
	var out []store.StoredAlert
	has := func(a *store.StoredAlert, kind, v string) bool {
		for _, e := range a.Entities {
			if e.Type == kind && strings.EqualFold(e.ID, v) {
				return true
			}
		}
		return kind == "ip" && slices.ContainsFunc(a.Evidence, func(ev event.Evidence) bool { return ev.IP == v })
	}
	for _, a := range all {
		ok := (f.Since.IsZero() || !a.Time.Before(f.Since)) && (f.Until.IsZero() || a.Time.Before(f.Until)) &&
			(len(f.Detections) == 0 || slices.Contains(f.Detections, a.Detection)) &&
			(len(f.Severities) == 0 || slices.Contains(f.Severities, a.Severity)) &&
			(len(f.Statuses) == 0 || slices.Contains(f.Statuses, a.Triage.Status)) &&
			(len(f.Tenants) == 0 || slices.Contains(f.Tenants, a.Tenant)) &&
			(len(f.Subscriptions) == 0 || slices.Contains(f.Subscriptions, a.Subscription)) &&
			(f.Principal == "" || strings.EqualFold(f.Principal, a.Principal)) &&
			(f.Host == "" || has(&a, "host", f.Host)) && (f.IP == "" || has(&a, "ip", f.IP)) &&
			(f.Text == "" || strings.Contains(strings.ToLower(a.Principal), strings.ToLower(f.Text)) ||
				slices.ContainsFunc(a.Entities, func(e event.Entity) bool { return strings.Contains(e.ID, f.Text) }) ||
				slices.ContainsFunc(a.Evidence, func(e event.Evidence) bool { return strings.Contains(e.IP, f.Text) }))
		if ok {
			out = append(out, a)
		}
	}
	rank := map[event.Severity]int{event.SeverityLow: 1, event.SeverityMedium: 2, event.SeverityHigh: 3}
	slices.SortFunc(out, func(a, b store.StoredAlert) int {
		c := cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.ID, b.ID))
		if strings.HasSuffix(f.Sort, "severity") {
			c = cmp.Or(cmp.Compare(rank[a.Severity], rank[b.Severity]), c)
		}
		if f.Sort == "" || f.Sort[0] == '-' {
			c = -c
		}
		return c
	})
	return ids(out)
}

func TestAlertFiltersAndPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		if _, err := s.Insert(ctx, corpus(400)); err != nil {
			t.Fatal(err)
		}
		var all []store.StoredAlert
		s.EachAlert(ctx, func(a store.StoredAlert) error {
			if a.Time.Minute()%3 == 0 {
				a2, err := s.UpdateTriage(ctx, a.ID, "bob", store.TriageUpdate{Status: ptr(event.StatusActive)})
				if err != nil {
					return err
				}
				a = a2
			}
			all = append(all, a)
			return nil
		})
		if len(all) != 400 {
			t.Fatalf("%d alerts stored", len(all))
		}
		filters := []store.AlertFilter{
			{},
			{Sort: "time"},
			{Sort: "-severity", Detections: []string{"microburst", "anonymous-ip"}},
			{Sort: "severity", Statuses: []event.Status{event.StatusActive}},
			{Since: t0.Add(30 * time.Minute), Until: t0.Add(90 * time.Minute), Severities: []event.Severity{event.SeverityHigh}},
			{Tenants: []string{"fabrikam"}, Subscriptions: []string{"sub-1", "sub-2"}, Principal: "USER3@contoso.com"},
			{Host: "WEB-02"},
			{IP: "198.51.100.7"},
			{IP: "192.0.2.11", Detections: []string{"impossible-travel"}},
			{Text: "user1"},
			{Text: "100.1"},
			{Detections: []string{"nothing"}},
		}
		for _, f := range filters {
			want := reference(all, f)
			var got []string
			f.Limit = 7
			for pages := 0; ; pages++ {
				p, err := s.Alerts(ctx, f)
				if err != nil {
					t.Fatalf("%+v: %v", f, err)
				}
				got = append(got, ids(p.Alerts)...)
				if p.Next == "" || pages > 100 {
					break
				}
				f.Cursor = p.Next
			}
			if d := gocmp.Diff(want, append([]string{}, got...)); d != "" {
				t.Errorf("filter %+v (-want +got)\n%s", f, d)
			}
			f.Cursor = ""
			c, err := s.CountAlerts(ctx, f)
			if err != nil || c.Total != len(want) {
				t.Errorf("filter %+v: count %d, %v; want %d", f, c.Total, err, len(want))
			}
		}
		if _, err := s.Alerts(ctx, store.AlertFilter{Sort: "name"}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("bad sort: %v", err)
		}
		if _, err := s.Alerts(ctx, store.AlertFilter{Cursor: "!!"}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("bad cursor: %v", err)
		}
		c, _ := s.CountAlerts(ctx, store.AlertFilter{})
		if c.ByStatus["active"]+c.ByStatus["new"] != 400 || len(c.ByDetection) != 4 || len(c.BySeverity) != 3 {
			t.Errorf("counts %+v", c)
		}
	})
}
