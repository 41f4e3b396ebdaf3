package flowsource

import (
	"net/netip"
	"time"
)

// Exporter state under abuse. Anyone can send UDP, with any source address
// and port, so the exporter table is bounded (Config.MaxExporters) and
// nothing may hold a place in it for good:
//
//   - Config.Exporters, when set, admits only those addresses, before any
//     state is kept;
//   - packets with a version other than 5, 9 or 10 never create state;
//   - an exporter that has not produced a flow record yet waits in a
//     queue and, when the table is full, the oldest of those makes room
//     for a newcomer (a port flood evicts itself, not a restarting
//     exporter);
//   - an exporter silent for Config.ExporterIdle is evicted, templates
//     and all, releasing its share of Config.MaxTemplateMemory.

// allowed reports whether packets from addr may be decoded.
func (d *Decoder) allowed(addr netip.Addr) bool {
	if len(d.cfg.Exporters) == 0 {
		return true
	}
	addr = addr.Unmap()
	for _, p := range d.cfg.Exporters {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// makeRoom evicts the oldest exporter that never produced a flow, and
// reports whether there is room now.
func (d *Decoder) makeRoom() bool {
	front := d.unproven.Front()
	if front == nil {
		return false
	}
	d.evict(front.Value.(*exporter))
	return true
}

// sweep evicts the exporters silent for Config.ExporterIdle at now.
func (d *Decoder) sweep(now time.Time) {
	d.lastSweep = now
	for _, e := range d.exporters {
		if now.Sub(e.lastSeen) >= d.cfg.ExporterIdle {
			d.evict(e)
		}
	}
}

func (d *Decoder) evict(e *exporter) {
	if e.queued != nil {
		d.unproven.Remove(e.queued)
		e.queued = nil
	}
	e.tpl.release()
	delete(d.exporters, e.key)
	d.counters.Evicted++
}
