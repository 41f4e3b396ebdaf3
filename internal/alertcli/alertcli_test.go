package alertcli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
)

var t0 = time.Date(2026, 10, 10, 10, 0, 0, 0, time.UTC)

// fill stores 30 alerts: ten principals, three detections, 90 minutes apart.
func fill(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var alerts []event.Alert
	for i := range 30 {
		alerts = append(alerts, event.Alert{
			ID: fmt.Sprintf("a%02d", i), Detection: []string{"impossible-travel", "microburst", "azurite"}[i%3],
			Name: "n", Severity: event.SeverityMedium, Time: t0.Add(time.Duration(i) * 90 * time.Minute), Tenant: "contoso",
			Principal: fmt.Sprintf("user%d@contoso.com", i%10),
		})
	}
	if _, err := s.Insert(context.Background(), alerts); err != nil {
		t.Fatal(err)
	}
	resolved := event.StatusResolved
	if _, err := s.UpdateTriage(context.Background(), "a27", "bob", store.TriageUpdate{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestListAlerts(t *testing.T) {
	s := fill(t)
	ctx := context.Background()
	var buf bytes.Buffer
	opts := Options{Since: t0.Add(20 * time.Hour), Detections: []string{"impossible-travel"}, Format: "json"}
	if err := List(ctx, s, opts, &buf); err != nil {
		t.Fatal(err)
	}
	var got []string
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var a store.StoredAlert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		got = append(got, a.ID+":"+string(a.Triage.Status))
	}
	if want := "a27:resolved a24:new a21:new a18:new a15:new"; strings.Join(got, " ") != want {
		t.Errorf("json export %v, want %s", got, want)
	}
	buf.Reset()
	if err := List(ctx, s, Options{Statuses: []event.Status{event.StatusNew}, Limit: 2}, &buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "TIME") || !strings.Contains(lines[1], "a29") ||
		!strings.Contains(lines[1], "user9@contoso.com") || !strings.Contains(lines[2], "a28") {
		t.Errorf("table:\n%s", buf.String())
	}
	if err := List(ctx, s, Options{Format: "xml"}, &buf); err == nil {
		t.Error("format xml accepted")
	}
}

func TestListIncidents(t *testing.T) {
	s := fill(t)
	var buf bytes.Buffer
	// Each principal's three alerts are 15 hours apart: the first two
	// form an incident, the third (30 h after the first) its own (24 h
	// window).
	if err := List(context.Background(), s, Options{Incidents: true, Format: "json"}, &buf); err != nil {
		t.Fatal(err)
	}
	n, alerts := 0, 0
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var inc store.Incident
		if err := dec.Decode(&inc); err != nil {
			t.Fatal(err)
		}
		n++
		alerts += inc.AlertCount
	}
	if n != 20 || alerts != 30 {
		t.Errorf("%d incidents of %d alerts, want 20 of 30", n, alerts)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":                     {},
		"24h":                  now.Add(-24 * time.Hour),
		"7d":                   now.Add(-7 * 24 * time.Hour),
		"2026-11-01":           time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		"2026-11-01T08:00:00Z": time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC),
	} {
		if got, err := ParseSince(in, now); err != nil || !got.Equal(want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "-3h", "d"} {
		if _, err := ParseSince(bad, now); err == nil {
			t.Errorf("ParseSince(%q) accepted", bad)
		}
	}
}

// TestTableNeutralisesControlCharacters: a failed sign-in logs the user
// name as the attacker typed it, and the table goes to a terminal. An
// escape sequence in it (here: clear the screen, set the title) must reach
// the terminal as inert text; JSON output keeps the value as it is.
func TestTableNeutralisesControlCharacters(t *testing.T) {
	s, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	evil := "mallory\x1b[2J\x1b]0;pwned\x07\u009b31m@contoso.com"
	a := event.Alert{ID: "a1", Detection: "password-spray", Name: "n", Severity: event.SeverityHigh, Time: t0,
		Tenant: "contoso", Principal: evil}
	if _, err := s.Insert(context.Background(), []event.Alert{a}); err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := List(context.Background(), s, Options{}, &table); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(table.String(), "\x1b\x07\u009b") {
		t.Errorf("the table passes control characters to the terminal: %q", table.String())
	}
	if !strings.Contains(table.String(), "mallory") || !strings.Contains(table.String(), "@contoso.com") {
		t.Errorf("the table lost the principal: %q", table.String())
	}
	var js bytes.Buffer
	if err := List(context.Background(), s, Options{Format: "json"}, &js); err != nil {
		t.Fatal(err)
	}
	var got store.StoredAlert
	if err := json.Unmarshal(js.Bytes(), &got); err != nil || got.Principal != evil {
		t.Errorf("json principal %q (%v), want it unchanged", got.Principal, err)
	}
}
