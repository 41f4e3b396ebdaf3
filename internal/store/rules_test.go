package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// TestSimulateEqualsSuppression: what a rule's simulation lists over the
// stored alerts is exactly what it suppresses once saved, when the same
// alerts are raised into a store that has it.
func TestSimulateEqualsSuppression(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/erin-incident.txtar")
	if err != nil {
		t.Fatal(err)
	}
	erin := replay(t, ar.Files[0].Data)
	rules := []struct {
		name   string
		alerts []event.Alert
		match  store.RuleMatch
		want   int // how many alerts it matches, so the test cannot pass empty
	}{
		{"cidr and detection", corpus(300), store.RuleMatch{IP: "198.51.100.0/29", Detection: "microburst"}, 36},
		{"evidence ip", corpus(300), store.RuleMatch{IP: "192.0.2.3", Tenant: "CONTOSO"}, 5},
		{"host", corpus(300), store.RuleMatch{Host: "web-03", Subscription: "sub-2"}, 4},
		{"country", erin, store.RuleMatch{Country: "kp", Principal: "Erin@contoso.com"}, 1},
		{"app", erin, store.RuleMatch{App: "Azure Portal"}, 2},
	}
	// The first count, by hand: microburst alerts whose IP entity is
	// 198.51.100.0 to .7.
	n := 0
	for _, a := range corpus(300) {
		var last int
		fmt.Sscanf(a.Entities[0].ID, "198.51.100.%d", &last)
		if a.Detection == "microburst" && last < 8 {
			n++
		}
	}
	if n != rules[0].want {
		t.Fatalf("corpus has %d microburst alerts in 198.51.100.0/29, the case says %d", n, rules[0].want)
	}
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		for _, tc := range rules {
			past := open(store.Options{})
			if _, err := past.Insert(ctx, tc.alerts); err != nil {
				t.Fatal(err)
			}
			r := store.Rule{Name: tc.name, Reason: "known scanner", CreatedBy: "admin", Match: tc.match}
			sim, err := past.SimulateRule(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if len(sim) != tc.want {
				t.Errorf("%s: simulate matches %d alerts, want %d", tc.name, len(sim), tc.want)
			}
			fresh := open(store.Options{})
			saved, err := fresh.AddRule(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			added, err := fresh.Insert(ctx, tc.alerts)
			if err != nil {
				t.Fatal(err)
			}
			var suppressed []string
			for _, a := range added {
				if a.Triage.SuppressedBy != "" {
					suppressed = append(suppressed, a.ID)
					if a.Triage.Status != event.StatusDismissed || a.Triage.SuppressedBy != saved.Label() {
						t.Errorf("%s: suppressed alert triage %+v", tc.name, a.Triage)
					}
				}
			}
			page, _ := fresh.Alerts(ctx, store.AlertFilter{Statuses: []event.Status{event.StatusDismissed}, Limit: 1000})
			if d := cmp.Diff(ids(sim), ids(page.Alerts)); d != "" {
				t.Errorf("%s: simulated vs suppressed (-sim +suppressed)\n%s", tc.name, d)
			}
			if len(suppressed) != len(sim) {
				t.Errorf("%s: %d suppressed on insert, %d simulated", tc.name, len(suppressed), len(sim))
			}
		}
	})
}

func TestRuleLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		for _, bad := range []store.Rule{
			{Name: "nothing matched"},
			{Name: "bad ip", Match: store.RuleMatch{IP: "10.0.0.0/33"}},
			{Match: store.RuleMatch{Detection: "microburst"}},
		} {
			if _, err := s.AddRule(ctx, bad); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("rule %+v: %v, want ErrInvalid", bad, err)
			}
		}
		past := time.Now().Add(-time.Hour)
		expired, err := s.AddRule(ctx, store.Rule{Name: "expired", CreatedBy: "admin", ExpiresAt: &past, Match: store.RuleMatch{Tenant: "contoso"}})
		if err != nil {
			t.Fatal(err)
		}
		added, _ := s.Insert(ctx, []event.Alert{alert("a1")})
		if added[0].Triage.Status != event.StatusNew {
			t.Errorf("an expired rule suppressed: %+v", added[0].Triage)
		}
		live, _ := s.AddRule(ctx, store.Rule{Name: "office", CreatedBy: "admin", Match: store.RuleMatch{IP: "203.0.113.0/24"}})
		added, _ = s.Insert(ctx, []event.Alert{alert("a2")})
		if added[0].Triage.SuppressedBy != "rule 2: office" || added[0].Triage.UpdatedBy != "rule" {
			t.Errorf("suppressed by %q", added[0].Triage.SuppressedBy)
		}
		if h, _ := s.History(ctx, "a2"); len(h) != 1 || h[0].New != "dismissed" || h[0].Actor != "rule" {
			t.Errorf("history of a suppressed alert %+v", h)
		}
		if ch, _ := s.OutboxAfter(ctx, 1, 10); len(ch) != 1 || ch[0].Kind != event.ChangeCreated || ch[0].Triage.SuppressedBy == "" {
			t.Errorf("outbox of a suppressed alert %+v", ch)
		}
		rs, _ := s.Rules(ctx)
		if len(rs) != 2 || rs[0].ID != expired.ID || rs[0].ExpiresAt == nil || rs[1].Match.IP != "203.0.113.0/24" {
			t.Errorf("rules %+v", rs)
		}
		if err := s.DeleteRule(ctx, live.ID, "admin"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteRule(ctx, live.ID, "admin"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
		if a, _ := s.Alert(ctx, "a2"); a.Triage.Status != event.StatusDismissed {
			t.Errorf("deleting the rule changed its alert: %+v", a.Triage)
		}
		log, _ := s.AuditLog(ctx, 10)
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action+" "+e.Target)
		}
		if got := strings.Join(actions, ", "); got != "rule.delete 2, rule.create 2, rule.create 1" {
			t.Errorf("audit log: %s", got)
		}
	})
}

// TestRuleExpiringFarAheadStaysActive: "9999-12-31" is how people write
// "until further notice". Stored times are Unix nanoseconds, which end in
// 2262; such an expiry must not wrap into the past (rule dead at once) but
// hold the rule active. A filter reaching past 2262 likewise keeps its
// meaning.
func TestRuleExpiringFarAheadStaysActive(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		for i, y := range []int{2300, 9999} {
			exp := time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
			r, err := s.AddRule(ctx, store.Rule{Name: fmt.Sprint("until ", y), CreatedBy: "admin", ExpiresAt: &exp,
				Match: store.RuleMatch{Detection: "impossible-travel", Principal: fmt.Sprintf("user%d@contoso.com", i)}})
			if err != nil {
				t.Fatal(err)
			}
			a := alert(fmt.Sprint("far-", y))
			a.Principal = fmt.Sprintf("user%d@contoso.com", i)
			got, err := s.Insert(ctx, []event.Alert{a})
			if err != nil {
				t.Fatal(err)
			}
			if got[0].Triage.SuppressedBy != r.Label() {
				t.Errorf("rule expiring %d: alert suppressed by %q, want %q", y, got[0].Triage.SuppressedBy, r.Label())
			}
		}
		page, err := s.Alerts(ctx, store.AlertFilter{Since: time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil || len(page.Alerts) != 2 {
			t.Errorf("alerts between the years 1000 and 9999: %d, %v; want 2", len(page.Alerts), err)
		}
	})
}
