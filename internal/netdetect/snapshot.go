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
// decodes as a version 3 one whose hours saw no login.
const snapshotVersion = 3

// State is the Engine's whole state in a gob-friendly form: open hours,
// host and environment baselines, the watermark and learned IP mappings.
type State struct {
	Version   int
	Watermark int64
	Closed    int64
	Open      []OpenHour
	History   map[string]History
	Env       Env
	Learned   inventory.Snapshot
	Counters  Counters
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
		Version: snapshotVersion, Watermark: e.watermark, Closed: e.closed,
		History: make(map[string]History, len(e.history)), Env: e.env,
		Learned: e.inv.Snapshot(), Counters: e.counters,
	}
	for hour, byIP := range e.open {
		for k, h := range byIP {
			s.Open = append(s.Open, OpenHour{Hour: hour, IP: k.ip, Scope: k.scope, Agg: *h})
		}
	}
	for name, h := range e.history {
		s.History[name] = *h
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
	case snapshotVersion, 2:
		err = gob.NewDecoder(bytes.NewReader(data)).Decode(&s)
		s.Version = snapshotVersion
	case 1:
		s, err = decodeV1(data)
	default:
		return fmt.Errorf("netdetect: restore: version %d: %w", v.Version, ErrSnapshot)
	}
	if err != nil {
		return fmt.Errorf("netdetect: restore: version %d: %w: %w", v.Version, ErrSnapshot, err)
	}
	e.restore(&s)
	return nil
}

func (e *Engine) restore(s *State) {
	e.watermark, e.closed, e.env, e.counters = s.Watermark, s.Closed, s.Env, s.Counters
	e.open = map[int64]map[hostKey]*HostHour{}
	for _, o := range s.Open {
		if e.open[o.Hour] == nil {
			e.open[o.Hour] = map[hostKey]*HostHour{}
		}
		agg := o.Agg
		e.open[o.Hour][hostKey{o.Scope, o.IP}] = &agg
	}
	e.history = make(map[string]*History, len(s.History))
	for name, h := range s.History {
		e.history[name] = &h
	}
	e.inv.Restore(s.Learned)
}
