package runner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowlog"
	"github.com/vedette/vedette/internal/inventory"
	"github.com/vedette/vedette/internal/netdetect"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/ti"
)

// netStateName is the key of the network detection state in the store.
const netStateName = "netdetect"

// netPath is the network detection path: the engine and the TI feeds it
// looks flows up in (nil without feeds).
type netPath struct {
	eng *netdetect.Engine
	inv *inventory.Inventory // the engine's: serve reloads its file on SIGHUP
	ti  *ti.Watcher
}

// openNetwork builds the network engine from the config (with its
// per-subscription overrides), the inventory file and the TI feeds, and
// restores its state from the store.
func (env *Env) openNetwork() (*netPath, error) {
	cfg := env.cfg.Network
	inv, err := env.inventory()
	if err != nil {
		return nil, err
	}
	np := &netPath{inv: inv}
	deps := netdetect.Deps{Inventory: inv, Logger: env.log}
	deps.Rules = env.netScopes.Rules // network.overrides and stored overrides, per host subscription
	if env.TI != nil {
		np.ti, deps.TI = env.TI, env.TI
	}
	eng, err := netdetect.New(cfg.Detections, deps)
	if err != nil {
		return nil, err
	}
	np.eng = eng
	parts, err := env.Store.LoadStateParts(context.Background(), netStateName)
	switch {
	case errors.Is(err, store.ErrNoState):
	case err != nil:
		return nil, err
	default:
		if err := eng.RestoreParts(parts); err != nil {
			return nil, err
		}
		if n := eng.Repair(env.cfg.Time.Floor, env.cfg.Time.Limit(env.clock())); n > 0 {
			env.log.Warn("repaired network state: dropped exporter clocks, hours and learned mappings outside the trusted time range", "dropped", n)
		}
	}
	return np, nil
}

// inventory returns the inventory file's mappings (network.inventory),
// or an empty inventory that learns from flow logs.
func (env *Env) inventory() (*inventory.Inventory, error) {
	if env.cfg.Network.Inventory == "" {
		return inventory.New(0), nil
	}
	return inventory.Load(env.cfg.Network.Inventory)
}

// save writes the engine's state to the store: an engine row and a row
// per host.
func (np *netPath) save(s *store.Store) error {
	parts, err := np.eng.SnapshotParts()
	if err != nil {
		return err
	}
	return s.SaveStateParts(context.Background(), netStateName, parts)
}

// detectFlows reads flow log files, runs the network engine over their
// records in time order, closes every open hour when flush is set, stores
// the engine's state and stores the new alerts. Records of hours an
// earlier run closed are counted per file and make it return ErrLate.
func (env *Env) detectFlows(files []*source, c *collector, flush bool) error {
	if len(files) == 0 {
		return nil
	}
	sum := c.sum
	np, err := env.openNetwork()
	if err != nil {
		return err
	}
	recs := env.readFlows(files, c)
	// Time order makes one batch, pieces and a live stream agree; the rest
	// of the comparison fixes the order of records with equal times.
	slices.SortFunc(recs, compareFlows)
	if sum.NetworkAlerts == nil {
		sum.NetworkAlerts = map[string]int{}
	}
	var pending []event.Alert
	late := map[string]int{}
	for i := range recs {
		before := np.eng.Counters().Late
		pending = append(pending, np.eng.Observe(&recs[i])...)
		if np.eng.Counters().Late != before {
			late[recs[i].Source]++
		}
		if len(pending) >= 256 {
			if err := env.emitNetwork(pending, sum); err != nil {
				return err
			}
			pending = pending[:0]
		}
	}
	if flush {
		pending = append(pending, np.eng.Flush()...)
	}
	if err := env.emitNetwork(pending, sum); err != nil {
		return err
	}
	sum.Network, sum.OpenHours = np.eng.Counters(), np.eng.OpenHours()
	if err := np.save(env.Store); err != nil {
		return err
	}
	return lateError(late, sum)
}

// lateError reports the files with late records, if any.
func lateError(late map[string]int, sum *Summary) error {
	if len(late) == 0 {
		return nil
	}
	sum.LateFlows = late
	n := 0
	for _, c := range late {
		n += c
	}
	return fmt.Errorf("%w: %d flow records in %d files belong to hours this data directory had already closed and were not counted; "+
		"read the pieces of a capture in time order, or analyse an older period in a fresh data directory (-data)", ErrLate, n, len(late))
}

func (env *Env) emitNetwork(alerts []event.Alert, sum *Summary) error {
	for _, a := range alerts {
		sum.NetworkAlerts[a.Detection]++
	}
	return env.emit(alerts, sum)
}

func compareFlows(a, b flow.Record) int {
	return cmp.Or(
		a.Time().Compare(b.Time()),
		cmp.Compare(a.Source, b.Source), cmp.Compare(a.Index, b.Index),
		a.Src.Compare(b.Src), a.Dst.Compare(b.Dst),
		cmp.Compare(a.SrcPort, b.SrcPort), cmp.Compare(a.DstPort, b.DstPort),
		cmp.Compare(a.Proto, b.Proto), cmp.Compare(a.State, b.State),
		cmp.Compare(a.Bytes, b.Bytes), cmp.Compare(a.Packets, b.Packets),
	)
}

// readFlows reads the flow log inputs; bad tuples and unreadable files are
// counted and dead-lettered like activity rejections.
func (env *Env) readFlows(files []*source, c *collector) []flow.Record {
	reject := func(source string, record int, reason, detail string) {
		c.Reject(normalize.Rejection{Source: source, Record: record, Reason: reason, Detail: detail})
	}
	var recs []flow.Record
	add := func(r flow.Record) {
		if rej, ok := c.gate.check(r.Time(), r.Source, r.Index); !ok {
			c.Reject(rej)
			return
		}
		recs = append(recs, r)
	}
	for _, s := range files {
		in, err := s.open()
		if err != nil {
			c.inputFailed(s.name, err, env)
			continue
		}
		first := s.first
		format, err := flowlog.Read(in.Reader(), flowSource(in), func(r flow.Record) { r.Index += first; add(r) },
			func(src string, rec int, reason, detail string) { reject(src, rec+first, reason, detail) })
		in.Close()
		if err != nil {
			c.inputFailed(s.name, err, env)
			continue
		}
		c.sum.Formats[in.Source()] = format
	}
	c.sum.FlowsRead += len(recs)
	return recs
}
