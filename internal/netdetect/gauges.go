package netdetect

import "time"

// Gauges are the Engine's current levels, beside its running Counters.
type Gauges struct {
	OpenHours int       // host-hours open (not yet closed by their exporters' clocks)
	Hosts     int       // hosts with a learned usual-hours history
	Newest    time.Time // latest flow time of any exporter's clock; zero before any flow
	// Clocks is the number of exporters whose event-time clock is kept.
	Clocks int
}

// Gauges returns the current levels. Like every Engine method it must be
// called from the goroutine that owns the Engine.
func (e *Engine) Gauges() Gauges {
	g := Gauges{Hosts: len(e.history)}
	for _, o := range e.open {
		g.OpenHours += o.hosts.n
	}
	g.Clocks = len(e.clocks)
	var newest int64
	for _, c := range e.clocks {
		newest = max(newest, c)
	}
	if newest != 0 {
		g.Newest = time.UnixMilli(newest).UTC()
	}
	return g
}
