package eval

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

func TestCompare(t *testing.T) {
	t0 := time.Date(2026, 10, 10, 9, 0, 0, 0, time.UTC)
	labels := []Label{
		{Detection: "impossible-travel", Principal: "alice@contoso.com", Time: t0, Key: "k1"},
		{Detection: "impossible-travel", Principal: "bob@contoso.com", Time: t0, Key: "k2"},
		{Detection: "anonymous-ip", Principal: "carol@contoso.com", Time: t0.Add(time.Hour), Key: "k3"},
	}
	alerts := []event.Alert{
		// found by time, principal case-insensitive
		{Detection: "impossible-travel", Principal: "Alice@contoso.com", Time: t0},
		// found by evidence key at another time
		{Detection: "anonymous-ip", Principal: "carol@contoso.com", Time: t0, Evidence: []event.Evidence{{Key: "k3"}}},
		// right principal and time, wrong detection: a false alert
		{Detection: "infrequent-country", Principal: "bob@contoso.com", Time: t0},
	}
	got := Compare(labels, alerts)
	summary := map[string][5]int{}
	for _, s := range got {
		summary[s.Detection] = [5]int{s.Labels, s.Alerts, s.TP, s.FP, s.FN}
	}
	want := map[string][5]int{
		"impossible-travel":  {2, 1, 1, 0, 1},
		"anonymous-ip":       {1, 1, 1, 0, 0},
		"infrequent-country": {0, 1, 0, 1, 0},
	}
	if diff := cmp.Diff(want, summary); diff != "" {
		t.Errorf("scores [labels alerts tp fp fn] (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	Report(&buf, got)
	if !strings.Contains(buf.String(), "impossible-travel missed: bob@contoso.com") {
		t.Errorf("report does not name the miss:\n%s", buf.String())
	}
}
