package netdetect

import "time"

// Gauges are the Engine's current levels, beside its running Counters.
type Gauges struct {
	OpenHours int       // host-hours open (not yet closed by the watermark)
	Hosts     int       // hosts with a learned usual-hours history
	Newest    time.Time // latest flow time seen (the watermark); zero before any flow
}

// Gauges returns the current levels. Like every Engine method it must be
// called from the goroutine that owns the Engine.
func (e *Engine) Gauges() Gauges {
	g := Gauges{Hosts: len(e.history)}
	for _, hosts := range e.open {
		g.OpenHours += len(hosts)
	}
	if e.watermark != 0 {
		g.Newest = time.UnixMilli(e.watermark).UTC()
	}
	return g
}
