package main

import (
	"encoding/json"
	"fmt"

	"github.com/vedette/vedette/internal/event"
)

// alertCollector is the io.Writer eval hands to detect: it decodes the
// JSON-lines alerts written to it (json.Encoder writes one whole line per
// Write), so eval scores exactly what detect outputs.
type alertCollector struct {
	alerts []event.Alert
}

func (c *alertCollector) Write(p []byte) (int, error) {
	var a event.Alert
	if err := json.Unmarshal(p, &a); err != nil {
		return 0, fmt.Errorf("eval: alert: %w", err)
	}
	c.alerts = append(c.alerts, a)
	return len(p), nil
}
