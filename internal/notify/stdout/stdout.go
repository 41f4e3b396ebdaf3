// Package stdout delivers findings as lines on standard output (or any
// writer). A closed pipe (`vedette detect ... | head`) stops the output
// without losing anything: the cursor stays at the last batch written, and
// the next run delivers the rest.
package stdout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
	"github.com/vedette/vedette/internal/notify"
)

// Notifier writes one line per change.
type Notifier struct {
	w      io.Writer
	format format.Func
}

// New returns a notifier writing to w in format f.
func New(w io.Writer, f format.Func) *Notifier { return &Notifier{w: w, format: f} }

// Notify writes the batch in one write.
func (n *Notifier) Notify(_ context.Context, changes []event.Change) (bool, error) {
	b, err := notify.Lines(changes, n.format)
	if err != nil {
		return false, fmt.Errorf("stdout: %w", err)
	}
	if _, err := n.w.Write(b); err != nil {
		if errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrClosedPipe) {
			return false, fmt.Errorf("stdout: %w: %w", notify.ErrClosed, err)
		}
		return true, fmt.Errorf("stdout: %w", err)
	}
	return false, nil
}
