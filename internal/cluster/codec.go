// Package cluster is what the scale-out roles share (docs/SCALEOUT.md):
// the format and keys of the internal topics between the ingest role and
// the detect role, and the per-partition event-time ordering whose held
// items are saved with the partition's state.
//
// Internal topics: activity events keyed by tenant (a tenant's baselines
// live in one partition), flow records keyed by monitored address, one
// message per monitored side, each naming the side it is for (Flow.Own).
package cluster

import (
	"fmt"
	"net/netip"
	"time"

	json "github.com/goccy/go-json"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
)

// EncodeEvent is the value of an activity message.
func EncodeEvent(e *event.Event) ([]byte, error) { return json.Marshal(e) }

// DecodeEvent reads an activity message value.
func DecodeEvent(b []byte) (*event.Event, error) {
	e := &event.Event{}
	if err := json.Unmarshal(b, e); err != nil {
		return nil, fmt.Errorf("cluster: activity message: %w", err)
	}
	return e, nil
}

// ActivityKey is an activity message's key: its tenant.
func ActivityKey(e *event.Event) []byte { return []byte(e.Tenant) }

// Flow is a flow message: the record, and the monitored address (source
// or destination) whose partition it was produced to. The detect role
// keeps state only for Own, so a flow between two monitored hosts is
// counted once on each side. Pos is where the ingest role read it (none
// for UDP flows and messages of older versions): the detect role drops a
// message at or below its source partition's Marks.
type Flow struct {
	Own    netip.Addr  `json:"own"`
	Record flow.Record `json:"record"`
	Pos    *Position   `json:"pos,omitempty"`
}

// EncodeFlow is the value of a flow message.
func EncodeFlow(f *Flow) ([]byte, error) { return json.Marshal(f) }

// DecodeFlow reads a flow message value.
func DecodeFlow(b []byte) (Flow, error) {
	var f Flow
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("cluster: flow message: %w", err)
	}
	if !f.Own.IsValid() {
		return f, fmt.Errorf("cluster: flow message names no monitored side")
	}
	return f, nil
}

// FlowKey is a flow message's key: the monitored address.
func FlowKey(own netip.Addr) []byte { return []byte(own.Unmap().String()) }

// Monitored says whether an address may be a monitored host at a time
// (the ingest role's view: private addresses, the configured monitor
// prefixes and the inventory file's addresses).
type Monitored func(ip netip.Addr, at time.Time) bool

// FlowSides returns the sides of r a message is produced for: each
// distinct monitored address, source first.
func FlowSides(r *flow.Record, monitored Monitored) []netip.Addr {
	var sides []netip.Addr
	at := r.Time()
	for _, ip := range []netip.Addr{r.Src.Unmap(), r.Dst.Unmap()} {
		if ip.IsValid() && monitored(ip, at) && (len(sides) == 0 || sides[0] != ip) {
			sides = append(sides, ip)
		}
	}
	return sides
}
