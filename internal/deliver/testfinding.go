package deliver

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// TestChange is the finding `vedette check -test-output` sends: shaped like
// a real alert (entities, evidence, ATT&CK, remediation) so every format
// fills its fields, and named so nobody mistakes it for one.
func TestChange(now time.Time) event.Change {
	now = now.UTC().Truncate(time.Millisecond)
	id := fmt.Sprintf("vedette-test-%d", now.UnixMilli())
	return event.Change{
		Seq: 0, Kind: event.ChangeCreated, At: now,
		Alert: event.Alert{
			ID: id, Detection: "vedette-test", Name: "Vedette test finding", AlertType: "VedetteTest",
			Severity: event.SeverityLow, Confidence: 1,
			Factors: []event.Factor{{Name: "test", Weight: 1, Detail: "sent by vedette check -test-output"}},
			MITRE:   event.MITRE{Tactic: "Initial Access", Technique: "Valid Accounts: Cloud Accounts", TechniqueID: "T1078.004"},
			Time:    now, Tenant: "00000000-0000-0000-0000-000000000000", Principal: "vedette-test@example.invalid",
			Entities: []event.Entity{
				{Type: "principal", ID: "vedette-test@example.invalid"},
				{Type: "ip", ID: "192.0.2.1", Role: "current", Location: &event.Location{Country: "ZZ"}},
			},
			Evidence: []event.Evidence{{
				Key: id, Time: now, Source: "vedette check", Principal: "vedette-test@example.invalid",
				IP: "192.0.2.1", Operation: "test", Result: "success",
			}},
			Description: "A test finding sent by `vedette check -test-output` to prove this output is reachable. It is not an alert.",
			Remediation: []string{"Nothing to do: confirm the finding arrived, then ignore it."},
		},
		Triage: event.Triage{Status: event.StatusNew, UpdatedAt: now},
	}
}

// SendTest builds the output, sends the test finding once (no retries, no
// filters, nothing stored) and closes it.
func SendTest(ctx context.Context, o OutputConfig, stdout io.Writer, now time.Time) error {
	out, closer, err := Build(o, stdout)
	if err != nil {
		return err
	}
	defer closer.Close()
	ctx, cancel := context.WithTimeout(ctx, out.Policy.Timeout)
	defer cancel()
	if _, err := out.Notifier.Notify(ctx, []event.Change{TestChange(now)}); err != nil {
		return fmt.Errorf("output %s: %w", o.Name, err)
	}
	return nil
}
