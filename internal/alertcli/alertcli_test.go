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
