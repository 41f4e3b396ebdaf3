package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

var t0 = time.Date(2026, 10, 10, 10, 0, 0, 0, time.UTC)

func alert(id string) event.Alert {
	return event.Alert{
		ID: id, Detection: "impossible-travel", Name: "Impossible travel activity",
		Severity: event.SeverityMedium, Confidence: 0.8, Time: t0,
		Tenant: "contoso", Principal: "alice@contoso.com",
		Entities: []event.Entity{{Type: "principal", ID: "alice@contoso.com"}, {Type: "ip", ID: "203.0.113.7", Location: &event.Location{Country: "NL"}}},
		Evidence: []event.Evidence{{Key: "k1", Source: "signins.jsonl", Record: 7, Time: t0, IP: "203.0.113.7", App: "Azure Portal"}},
	}
}

func ptr[T any](v T) *T { return &v }

func ids(as []store.StoredAlert) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func TestInsertKeepsTriageAndHistory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		added, err := s.AddAlerts([]event.Alert{alert("a1"), alert("a2"), alert("a1")})
		if err != nil || len(added) != 2 {
			t.Fatalf("added %d alerts (%v), want 2: a1 twice in one batch", len(added), err)
		}
		got, err := s.UpdateTriage(ctx, "a1", "bob", store.TriageUpdate{Status: ptr(event.StatusResolved), Classification: ptr(event.BenignPositive)})
		if err != nil {
			t.Fatal(err)
		}
		if got.Triage.Status != event.StatusResolved || got.Triage.UpdatedBy != "bob" {
			t.Errorf("after triage: %+v", got.Triage)
		}
		// Raising a1 again (the same logs read again) keeps its triage.
		if added, err := s.AddAlerts([]event.Alert{alert("a1"), alert("a3")}); err != nil || len(added) != 1 || added[0].ID != "a3" {
			t.Fatalf("re-raise added %v, %v; want only a3", added, err)
		}
		a1, err := s.Alert(ctx, "a1")
		if err != nil || a1.Triage.Status != event.StatusResolved || a1.Triage.Classification != event.BenignPositive {
			t.Errorf("a1 after re-raise: %+v, %v", a1.Triage, err)
		}
		if _, err := s.UpdateTriage(ctx, "a1", "bob", store.TriageUpdate{Status: ptr(event.Status("done"))}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("bad status: %v, want ErrInvalid", err)
		}
		if _, err := s.UpdateTriage(ctx, "nope", "bob", store.TriageUpdate{Assignee: ptr("x")}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing alert: %v, want ErrNotFound", err)
		}
		if _, err := s.UpdateTriage(ctx, "a1", "carol", store.TriageUpdate{Assignee: ptr("carol"), Status: ptr(event.StatusResolved)}); err != nil {
			t.Fatal(err)
		}
		hist, err := s.History(ctx, "a1")
		if err != nil {
			t.Fatal(err)
		}
		var h []string
		for _, e := range hist {
			h = append(h, fmt.Sprintf("%s %s %s->%s", e.Actor, e.Field, e.Old, e.New))
		}
		want := []string{"bob status new->resolved", "bob classification ->benign_positive", "carol assignee ->carol"}
		if d := cmp.Diff(want, h); d != "" {
			t.Errorf("history (-want +got)\n%s", d)
		}
		if _, err := s.AddComment(ctx, "a1", "bob", "  VPN of the Amsterdam office  "); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddComment(ctx, "a1", "bob", " "); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("empty comment: %v", err)
		}
		cs, err := s.Comments(ctx, "a1")
		if err != nil || len(cs) != 1 || cs[0].Text != "VPN of the Amsterdam office" || cs[0].Author != "bob" {
			t.Errorf("comments %+v, %v", cs, err)
		}
		// The outbox: created a1, a2, closed a1, created a3, updated a1.
		ch, err := s.OutboxAfter(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		for i, c := range ch {
			if c.Seq != int64(i+1) {
				t.Errorf("change %d has seq %d", i, c.Seq)
			}
			seen = append(seen, string(c.Kind)+" "+c.Alert.ID+" "+string(c.Triage.Status))
		}
		wantCh := []string{"created a1 new", "created a2 new", "closed a1 resolved", "created a3 new", "updated a1 resolved"}
		if d := cmp.Diff(wantCh, seen); d != "" {
			t.Errorf("outbox (-want +got)\n%s", d)
		}
		if rest, _ := s.OutboxAfter(ctx, 3, 1); len(rest) != 1 || rest[0].Seq != 4 {
			t.Errorf("OutboxAfter(3, 1) = %+v", rest)
		}
	})
}

func TestOutboxCursorsAndDeadLetters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		if c, err := s.Cursor(ctx, "siem"); c != 0 || err != nil {
			t.Errorf("fresh cursor %d, %v", c, err)
		}
		for _, seq := range []int64{5, 9} {
			if err := s.SetCursor(ctx, "siem", seq); err != nil {
				t.Fatal(err)
			}
		}
		if c, _ := s.Cursor(ctx, "siem"); c != 9 {
			t.Errorf("cursor %d, want 9", c)
		}
		for i, reason := range []string{"HTTP 400", "HTTP 413"} {
			c := event.Change{Seq: int64(i + 1), Kind: event.ChangeCreated, At: t0, Alert: alert(fmt.Sprint("d", i))}
			if err := s.AddDeadLetter(ctx, "siem", c, 3, reason); err != nil {
				t.Fatal(err)
			}
		}
		s.AddDeadLetter(ctx, "other", event.Change{Seq: 7}, 1, "x")
		dl, err := s.DeadLetters(ctx, "siem", 10)
		if err != nil || len(dl) != 2 || dl[0].Reason != "HTTP 413" || dl[0].Change.Alert.ID != "d1" || dl[1].Attempts != 3 {
			t.Errorf("dead letters %+v, %v", dl, err)
		}
		if all, _ := s.DeadLetters(ctx, "", 10); len(all) != 3 {
			t.Errorf("all dead letters: %d", len(all))
		}
	})
}

func TestStatePartsSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.SaveStateParts(ctx, "baselines", map[string][]byte{"contoso": {1}, "fabrikam": {2, 3}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveStateParts(ctx, "baselines", map[string][]byte{"contoso": {4}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = store.Open(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	parts, err := s.LoadStateParts(ctx, "baselines")
	if d := cmp.Diff(map[string][]byte{"contoso": {4}}, parts); d != "" || err != nil {
		t.Errorf("parts after replace and reopen (-want +got) %v\n%s", err, d)
	}
	if _, err := s.LoadState("nothing"); !errors.Is(err, store.ErrNoState) {
		t.Errorf("LoadState of a missing name = %v, want ErrNoState", err)
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
