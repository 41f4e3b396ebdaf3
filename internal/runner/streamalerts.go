package runner

import (
	"maps"
	"slices"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/recycle"
)

// alertBatches stores the pipeline's alerts in batches of at least 256,
// as they come, or holds the batches back until released.
type alertBatches struct {
	env     *Env
	sum     *Summary
	pending []event.Alert
	held    [][]event.Alert
	hold    bool
}

func (b *alertBatches) add(alerts []event.Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	b.pending = append(b.pending, alerts...)
	if len(b.pending) >= 256 {
		return b.cut()
	}
	return nil
}

// cut ends the current batch.
func (b *alertBatches) cut() error {
	if len(b.pending) == 0 {
		return nil
	}
	if b.hold {
		b.held = append(b.held, b.pending)
		b.pending = nil
		return nil
	}
	recycle.CheckAlerts(b.pending)
	err := b.env.emit(b.pending, b.sum)
	b.pending = b.pending[:0]
	return err
}

// release stores the batches held back, and the next ones as they come.
func (b *alertBatches) release() error {
	b.hold = false
	for i, batch := range b.held {
		recycle.CheckAlerts(batch)
		if err := b.env.emit(batch, b.sum); err != nil {
			return err
		}
		b.held[i] = nil
	}
	b.held = nil
	return nil
}

// collectorSnapshot is what an abandoned attempt of detectActivity rolls
// back.
type collectorSnapshot struct {
	rejected map[string]int
	formats  map[string]string
	examples []normalize.Rejection
	read     int
	failed   int
	spilled  int
	merged   int
}

func (c *collector) snapshot() collectorSnapshot {
	return collectorSnapshot{rejected: maps.Clone(c.sum.Rejected), formats: maps.Clone(c.sum.Formats),
		examples: slices.Clone(c.sum.Examples), read: c.sum.Read, failed: c.failed,
		spilled: c.sum.SpilledRuns, merged: c.sum.MergedRuns}
}

func (c *collector) restore(s collectorSnapshot) {
	c.sum.Rejected, c.sum.Formats = maps.Clone(s.rejected), maps.Clone(s.formats)
	c.sum.Examples, c.sum.Read, c.failed = slices.Clone(s.examples), s.read, s.failed
	c.sum.SpilledRuns, c.sum.MergedRuns = s.spilled, s.merged
}
