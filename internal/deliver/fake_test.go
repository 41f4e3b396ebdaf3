package deliver

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// memOutbox is a hand-written in-memory Outbox with the store's contract.
type memOutbox struct {
	mu      sync.Mutex
	changes []event.Change
	cursors map[string]int64
	dead    []deadLetter
}

type deadLetter struct {
	output   string
	seq      int64
	attempts int
	reason   string
}

func newMemOutbox(changes []event.Change) *memOutbox {
	return &memOutbox{changes: changes, cursors: map[string]int64{}}
}

func (m *memOutbox) OutboxAfter(_ context.Context, after int64, limit int) ([]event.Change, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []event.Change
	for _, c := range m.changes {
		if c.Seq > after && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (m *memOutbox) Cursor(_ context.Context, output string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cursors[output], nil
}

func (m *memOutbox) SetCursor(ctx context.Context, output string, seq int64) error {
	if err := ctx.Err(); err != nil {
		return err // as a database refuses a canceled context
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq < m.cursors[output] {
		return fmt.Errorf("cursor of %s moved back from %d to %d", output, m.cursors[output], seq)
	}
	m.cursors[output] = seq
	return nil
}

func (m *memOutbox) AddDeadLetter(_ context.Context, output string, c event.Change, attempts int, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dead = append(m.dead, deadLetter{output, c.Seq, attempts, reason})
	return nil
}

func (m *memOutbox) append(c event.Change) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.changes = append(m.changes, c)
}

// changesN makes n changes of alerts spread over severities, detections and
// tenants, one second apart.
func changesN(n int) []event.Change {
	sev := []event.Severity{event.SeverityLow, event.SeverityMedium, event.SeverityHigh}
	t0 := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	out := make([]event.Change, n)
	for i := range out {
		out[i] = event.Change{
			Seq: int64(i + 1), Kind: event.ChangeCreated, At: t0.Add(time.Duration(i) * time.Second),
			Alert: event.Alert{
				ID: fmt.Sprintf("alert-%03d", i), Severity: sev[i%3],
				Detection: []string{"impossible-travel", "anonymous-ip"}[i%2],
				Tenant:    []string{"t1", "t2", "t3", "t4"}[i%4],
			},
			Triage: event.Triage{Status: event.StatusNew},
		}
	}
	return out
}
