package netdetect

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"strings"
)

// EnginePart is the SnapshotParts part that holds the engine-wide state
// (watermark, open hours, environment, learned mappings, counters); every
// other part is one host's history, named HostPartPrefix + host name.
const (
	EnginePart     = "engine"
	HostPartPrefix = "host/"
)

// SnapshotParts is Snapshot split for storage as rows: the engine-wide
// state, and one part per host with its usual hourly levels, so a host's
// baseline can be read, moved or dropped alone.
func (e *Engine) SnapshotParts() (map[string][]byte, error) {
	full, err := e.Snapshot()
	if err != nil {
		return nil, err
	}
	var s State
	if err := gob.NewDecoder(bytes.NewReader(full)).Decode(&s); err != nil {
		return nil, fmt.Errorf("netdetect: snapshot parts: %w", err)
	}
	parts := make(map[string][]byte, len(s.History)+1)
	for name, h := range s.History {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(h); err != nil {
			return nil, fmt.Errorf("netdetect: host %q: %w", name, err)
		}
		parts[HostPartPrefix+name] = buf.Bytes()
	}
	s.History = nil
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&s); err != nil {
		return nil, fmt.Errorf("netdetect: snapshot parts: %w", err)
	}
	parts[EnginePart] = buf.Bytes()
	return parts, nil
}

// RestoreParts restores SnapshotParts' parts. A single part named other
// than EnginePart or a host is a whole Snapshot (as stored before the
// split) and is restored as one.
func (e *Engine) RestoreParts(parts map[string][]byte) error {
	engine, ok := parts[EnginePart]
	if !ok {
		if len(parts) == 1 {
			for _, data := range parts {
				return e.Restore(data)
			}
		}
		return fmt.Errorf("netdetect: restore: no %q part: %w", EnginePart, ErrSnapshot)
	}
	var s State
	if err := gob.NewDecoder(bytes.NewReader(engine)).Decode(&s); err != nil {
		return fmt.Errorf("netdetect: restore: %w: %w", ErrSnapshot, err)
	}
	if s.Version != snapshotVersion {
		return fmt.Errorf("netdetect: restore parts: version %d: %w", s.Version, ErrSnapshot)
	}
	s.History = make(map[string]History, len(parts)-1)
	for part, data := range parts {
		name, ok := strings.CutPrefix(part, HostPartPrefix)
		if !ok {
			continue
		}
		var h History
		if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&h); err != nil {
			return fmt.Errorf("netdetect: restore host %q: %w: %w", name, ErrSnapshot, err)
		}
		s.History[name] = h
	}
	e.restore(&s)
	return nil
}
