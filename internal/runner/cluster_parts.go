package runner

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/cluster"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/netdetect"
	"github.com/vedette/vedette/internal/pipeline"
)

// partState is the detection state of one input partition of the detect
// role: everything its messages taught, saved as the partition's state
// rows with its offset.
type partState interface {
	// apply decodes one message and holds its item (or processes it now
	// when it is late); it reports what it did with it.
	apply(value []byte) applyResult
	// release processes the held items the partition's watermark passed.
	release()
	// flush processes every held item and closes what is open, as at the
	// end of a batch (serve -flush-on-exit).
	flush()
	marshal() (map[string][]byte, error)
	unmarshal(parts map[string][]byte) error
	// takeAlerts returns the alerts raised since the last call.
	takeAlerts() []event.Alert
	// held is the number of items waiting for the watermark.
	held() int
}

// applyResult is what a partition did with a message.
type applyResult int

const (
	applied     applyResult = iota
	undecodable             // skipped: not a message of this topic
	replayed                // dropped: at or below its source partition's mark
)

// State row names of a partition.
const (
	heldPart   = "held"    // the Hold's content (JSON)
	marksPart  = "marks"   // flow partitions: the highest source positions applied (JSON)
	tenantPart = "tenant/" // + tenant: baselines (activity partitions)
	netPart    = "net/"    // + netdetect part: engine and hosts (flow partitions)
)

// activityPart is an activity partition: the baselines of its tenants, the
// pipeline over them and the events waiting for event-time order.
type activityPart struct {
	bl      *baseline.Baselines
	p       *pipeline.Pipeline
	hold    *cluster.Hold[*event.Event]
	rel     []*event.Event
	pending []event.Alert
}

var partEventOrder = cluster.Order[*event.Event]{
	Time: func(e **event.Event) time.Time { return (*e).Time },
	Compare: func(a, b **event.Event) int {
		return cmp.Or((*a).Time.Compare((*b).Time), cmp.Compare((*a).Key, (*b).Key))
	},
}

func (env *Env) newActivityPart() *activityPart {
	bl := newBaselines(env.cfg)
	p := pipeline.New(pipeline.Options{TrustRecordLocation: env.cfg.Geo.TrustRecordLocation}, bl, env.pipelineDeps())
	return &activityPart{bl: bl, p: p, hold: cluster.NewHold(env.cfg.Activity.Lateness, partEventOrder)}
}

// apply holds an activity event. A repeated event (an ingest that
// re-produced it) is a no-op for the pipeline, which skips events it has
// seen by key and watermark; activity messages carry no source position
// because the ingest role's reorder produces them in event-time order,
// not source order.
func (a *activityPart) apply(value []byte) applyResult {
	e, err := cluster.DecodeEvent(value)
	if err != nil {
		return undecodable
	}
	if !a.hold.Push(e) {
		a.process(e) // late: the baselines' watermark decides
	}
	return applied
}

func (a *activityPart) process(e *event.Event) { a.pending = append(a.pending, a.p.Process(e)...) }

func (a *activityPart) release() {
	a.rel = a.hold.Release(a.rel[:0])
	for i, e := range a.rel {
		a.process(e)
		a.rel[i] = nil
	}
}

func (a *activityPart) flush() {
	a.rel = a.hold.Flush(a.rel[:0])
	for _, e := range a.rel {
		a.process(e)
	}
	clear(a.rel)
}

func (a *activityPart) held() int { return a.hold.Len() }

func (a *activityPart) takeAlerts() []event.Alert {
	out := a.pending
	a.pending = nil
	return out
}

func (a *activityPart) marshal() (map[string][]byte, error) {
	tenants, err := a.bl.MarshalTenants()
	if err != nil {
		return nil, err
	}
	return prefixed(tenants, tenantPart, a.hold.State())
}

func (a *activityPart) unmarshal(parts map[string][]byte) error {
	var st cluster.State[*event.Event]
	tenants, err := unprefixed(parts, tenantPart, &st)
	if err != nil {
		return err
	}
	if len(tenants) > 0 {
		if err := a.bl.UnmarshalTenants(tenants); err != nil {
			return err
		}
	}
	a.hold.Restore(st)
	return nil
}

// flowPart is a flow partition: a network engine keeping state for the
// monitored addresses the partition's messages were keyed by, and the
// flows waiting for event-time order, and the highest source position
// applied of each source partition (marks), so that flows an ingest
// re-produced are not counted twice.
type flowPart struct {
	eng     *netdetect.Engine
	hold    *cluster.Hold[cluster.Flow]
	marks   cluster.Marks
	own     netip.Addr // the side of the flow being observed
	rel     []cluster.Flow
	pending []event.Alert
}

var partFlowOrder = cluster.Order[cluster.Flow]{
	Time: func(f *cluster.Flow) time.Time { return f.Record.Time() },
	Compare: func(a, b *cluster.Flow) int {
		return cmp.Or(compareFlowFields(&a.Record, &b.Record), a.Own.Compare(b.Own),
			cmp.Compare(a.Record.Source, b.Record.Source), cmp.Compare(a.Record.Index, b.Record.Index))
	},
}

// compareFlowFields orders flows as compareFlows does, but by what the
// flow says rather than where it was read.
func compareFlowFields(a, b *flow.Record) int {
	return cmp.Or(
		a.Time().Compare(b.Time()),
		a.Src.Compare(b.Src), a.Dst.Compare(b.Dst),
		cmp.Compare(a.SrcPort, b.SrcPort), cmp.Compare(a.DstPort, b.DstPort),
		cmp.Compare(a.Proto, b.Proto), cmp.Compare(a.State, b.State),
		cmp.Compare(a.Bytes, b.Bytes), cmp.Compare(a.Packets, b.Packets),
	)
}

func (env *Env) newFlowPart() (*flowPart, error) {
	cfg := env.cfg.Network
	inv, err := env.inventory()
	if err != nil {
		return nil, err
	}
	f := &flowPart{hold: cluster.NewHold(env.cfg.Activity.Lateness, partFlowOrder), marks: cluster.Marks{}}
	deps := netdetect.Deps{Inventory: inv, Logger: env.log, Rules: env.netScopes.Rules,
		Owns: func(ip netip.Addr) bool { return ip == f.own }}
	if env.TI != nil {
		deps.TI = env.TI
	}
	eng, err := netdetect.New(cfg.Detections, deps)
	if err != nil {
		return nil, err
	}
	f.eng = eng
	return f, nil
}

func (f *flowPart) apply(value []byte) applyResult {
	fl, err := cluster.DecodeFlow(value)
	if err != nil {
		return undecodable
	}
	if !f.marks.Apply(fl.Pos) {
		return replayed
	}
	fl.Pos = nil // checked: the held items need not keep it
	if !f.hold.Push(fl) {
		f.observe(&fl) // late: the engine counts it
	}
	return applied
}

func (f *flowPart) observe(fl *cluster.Flow) {
	f.own = fl.Own.Unmap()
	f.pending = append(f.pending, f.eng.Observe(&fl.Record)...)
}

func (f *flowPart) release() {
	f.rel = f.hold.Release(f.rel[:0])
	for i := range f.rel {
		f.observe(&f.rel[i])
	}
}

func (f *flowPart) flush() {
	f.rel = f.hold.Flush(f.rel[:0])
	for i := range f.rel {
		f.observe(&f.rel[i])
	}
	f.pending = append(f.pending, f.eng.Flush()...)
}

func (f *flowPart) held() int { return f.hold.Len() }

func (f *flowPart) takeAlerts() []event.Alert {
	out := f.pending
	f.pending = nil
	return out
}

func (f *flowPart) marshal() (map[string][]byte, error) {
	parts, err := f.eng.SnapshotParts()
	if err != nil {
		return nil, err
	}
	out, err := prefixed(parts, netPart, f.hold.State())
	if err != nil {
		return nil, err
	}
	if out[marksPart], err = json.Marshal(f.marks); err != nil {
		return nil, fmt.Errorf("source marks: %w", err)
	}
	return out, nil
}

func (f *flowPart) unmarshal(parts map[string][]byte) error {
	var st cluster.State[cluster.Flow]
	eng, err := unprefixed(parts, netPart, &st)
	if err != nil {
		return err
	}
	if len(eng) > 0 {
		if err := f.eng.RestoreParts(eng); err != nil {
			return err
		}
	}
	f.hold.Restore(st)
	f.marks = cluster.Marks{}
	if m, ok := parts[marksPart]; ok {
		if err := json.Unmarshal(m, &f.marks); err != nil {
			return fmt.Errorf("source marks: %w", err)
		}
	}
	return nil
}

// prefixed names a partition's state rows: the detection state's parts
// under prefix, and the held items.
func prefixed(parts map[string][]byte, prefix string, held any) (map[string][]byte, error) {
	out := make(map[string][]byte, len(parts)+1)
	for k, v := range parts {
		out[prefix+k] = v
	}
	h, err := json.Marshal(held)
	if err != nil {
		return nil, fmt.Errorf("held items: %w", err)
	}
	out[heldPart] = h
	return out, nil
}

// unprefixed is prefixed's inverse: the parts under prefix, and the held
// items decoded into held.
func unprefixed(parts map[string][]byte, prefix string, held any) (map[string][]byte, error) {
	out := map[string][]byte{}
	for k, v := range maps.All(parts) {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	if h, ok := parts[heldPart]; ok {
		if err := json.Unmarshal(h, held); err != nil {
			return nil, fmt.Errorf("held items: %w", err)
		}
	}
	return out, nil
}
