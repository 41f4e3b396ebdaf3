package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/vedette/vedette/internal/event"
)

// alertCollector is the io.Writer eval hands to detect: it decodes the
// JSON-lines alerts written to it, so eval scores exactly what detect
// outputs. A Write may hold several lines (the output delivers batches) or
// part of one; an incomplete last line waits for the next Write.
type alertCollector struct {
	alerts []event.Alert
	rest   []byte
}

func (c *alertCollector) Write(p []byte) (int, error) {
	c.rest = append(c.rest, p...)
	for {
		line, after, ok := bytes.Cut(c.rest, []byte("\n"))
		if !ok {
			return len(p), nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			var a event.Alert
			if err := json.Unmarshal(line, &a); err != nil {
				c.rest = after
				return len(p), fmt.Errorf("eval: alert: %w", err)
			}
			c.alerts = append(c.alerts, a)
		}
		c.rest = after
	}
}
