package netdetect

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"net/netip"

	"github.com/vedette/vedette/internal/inventory"
)

// snapshotVersion is bumped whenever State changes. Version 2 replaced
// Channel.Top's four space-saving slots with a Heavy table; version 1
// snapshots are still restored (see decodeV1). Version 3 added
// HostHour.Auth; gob matches fields by name, so a version 2 snapshot
// decodes as a version 3 one whose hours saw no login. Version 4 replaced
// the one watermark with a clock per exporter (Clocks, Reporters, Done,
// Now); an earlier snapshot's watermark becomes the clock of the zero
// exporter (flow log files), which reported all its open hours.
const snapshotVersion = 4

// State is the Engine's whole state in a gob-friendly form: open hours,
// host and environment baselines, the watermark and learned IP mappings.
type State struct {
	Version int
	// Watermark and Closed are the single event-time clock of versions
	// 1 to 3, read only to migrate them.
	Watermark int64
	Closed    int64
	Clocks    []Clock
	Reporters []HourReporters
	Done      []int64 // closed hours still remembered, unix s
	Now       int64   // the last wall clock given to Tick, unix ms
	Open      []OpenHour
	History   map[string]History
	Env       Env
	Learned   inventory.Snapshot
	Counters  Counters
}

// Clock is one exporter's newest flow time, unix ms. Domain is the
// observation domain or source ID; snapshots written before it existed
// restore with domain 0.
type Clock struct {
	Exporter netip.Addr
	Domain   uint32
	Time     int64
}

// HourReporters are the exporters that reported an open hour: Domains[i]
// is the domain of Exporters[i] (nil in earlier snapshots: all 0).
type HourReporters struct {
	Hour      int64
	Exporters []netip.Addr
	Domains   []uint32
}

// OpenHour is one monitored IP's state in one not yet closed hour.
type OpenHour struct {
	Hour  int64 // unix seconds
	IP    netip.Addr
	Scope string // the subscription the IP was seen in; empty before, and for IPFIX
	Agg   HostHour
}

// Snapshot serializes the state so a restart can resume where it stopped.
func (e *Engine) Snapshot() ([]byte, error) {
	s := State{
		Version: snapshotVersion, Now: e.now,
		History: make(map[string]History, len(e.history)), Env: e.env,
		Learned: e.inv.Snapshot(), Counters: e.counters,
	}
	for hour, o := range e.open {
		o.hosts.each(func(k hostKey, h hourView) {
			s.Open = append(s.Open, OpenHour{Hour: hour, IP: k.ip, Scope: k.scope, Agg: h.export()})
		})
		if len(o.set) > 0 {
			hr := HourReporters{Hour: hour}
			for k := range o.set {
				hr.Exporters, hr.Domains = append(hr.Exporters, k.exp), append(hr.Domains, k.domain)
			}
			s.Reporters = append(s.Reporters, hr)
		}
	}
	for name, h := range e.history {
		s.History[name] = *h
	}
	for k, t := range e.clocks {
		s.Clocks = append(s.Clocks, Clock{Exporter: k.exp, Domain: k.domain, Time: t})
		s.Watermark = max(s.Watermark, t)
	}
	for h := range e.done {
		s.Done = append(s.Done, h)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&s); err != nil {
		return nil, fmt.Errorf("netdetect: snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// Restore replaces the state with a Snapshot's, of this version or an
// earlier one.
func (e *Engine) Restore(data []byte) error {
	var v struct{ Version int }
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&v); err != nil {
		return fmt.Errorf("netdetect: restore: %w: %w", ErrSnapshot, err)
	}
	var s State
	var err error
	switch v.Version {
	case snapshotVersion, 3, 2:
		err = gob.NewDecoder(bytes.NewReader(data)).Decode(&s)
	case 1:
		s, err = decodeV1(data)
	default:
		return fmt.Errorf("netdetect: restore: version %d: %w", v.Version, ErrSnapshot)
	}
	if err != nil {
		return fmt.Errorf("netdetect: restore: version %d: %w: %w", v.Version, ErrSnapshot, err)
	}
	if v.Version < 4 {
		s.migrateClock()
	}
	e.restore(&s)
	return nil
}

func (e *Engine) restore(s *State) {
	e.env, e.counters, e.now = s.Env, s.Counters, s.Now
	e.forget()
	e.open = map[int64]*openHour{}
	for i := range s.Open {
		o := &s.Open[i]
		hour := e.open[o.Hour]
		if hour == nil {
			hour = &openHour{start: o.Hour, hosts: newHostTable()}
			e.open[o.Hour] = hour
		}
		ip := o.IP.Unmap()
		h := hour.hosts.get(o.Scope, ip)
		if h == nil {
			h = hour.hosts.add(o.Scope, ip)
		}
		if h != nil { // nil: more hosts than a table indexes
			hour.hosts.load(h, &o.Agg)
		}
	}
	e.history = make(map[string]*History, len(s.History))
	for name, h := range s.History {
		e.history[name] = &h
	}
	e.inv.Restore(s.Learned)
	e.clocks, e.perAddr, e.done = map[clockKey]int64{}, map[netip.Addr]int{}, map[int64]struct{}{}
	for _, c := range s.Clocks {
		k := clockKey{c.Exporter, c.Domain}
		if _, dup := e.clocks[k]; !dup {
			e.perAddr[k.exp]++
		}
		e.clocks[k] = c.Time
	}
	for _, hr := range s.Reporters {
		if e.open[hr.Hour] == nil {
			continue
		}
		for i, exp := range hr.Exporters {
			k := clockKey{exp: exp}
			if i < len(hr.Domains) {
				k.domain = hr.Domains[i]
			}
			e.report(k, hr.Hour)
		}
	}
	for _, h := range s.Done {
		e.done[h] = struct{}{}
	}
}

// migrateClock turns the single watermark of versions 1 to 3 into the
// clock of the zero exporter, the reporter of every open hour.
func (s *State) migrateClock() {
	s.Version = snapshotVersion
	var zero netip.Addr
	s.Clocks = []Clock{{Exporter: zero, Time: s.Watermark}}
	seen := map[int64]bool{}
	for _, o := range s.Open {
		if !seen[o.Hour] {
			seen[o.Hour] = true
			s.Reporters = append(s.Reporters, HourReporters{Hour: o.Hour, Exporters: []netip.Addr{zero}})
		}
	}
}
