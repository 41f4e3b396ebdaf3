// Package netdetect turns flow records into network detections: brute force
// over SSH and RDP (incoming one-to-one and many-to-one, outgoing one-to-one
// and one-to-many), SSH brute force followed by a login from an attacking
// source (when the input reports authentication outcomes, as Zeek's
// ssh.log does) and communication with threat-intel listed addresses.
//
// State is kept per monitored IP per event-time hour in a hostHour (one
// 64-byte cache line and a 4-byte slot of its hour's host table, plus 64
// bytes for each service and direction it saw, per-peer attempt counts
// that grow with the peers seen, to at most 1.5 KiB per channel, 136 bytes
// for the first listed peer or login and 656 for the first successful
// login an input reports, all freed when the hour closes), and per host in
// a 52-byte History. Per-peer counts are exact up to 64 peers per
// channel and hour, then Space-Saving bounds: one-to-one rules alert only
// on a peer's guaranteed count (see Heavy). Time comes only from flow
// records, with one clock per exporter (see clock.go): an hour closes when
// every exporter that reported it has sent a flow later than its end plus
// Config.Grace, when the wall clock given to Tick has passed its end by
// Config.HourIdle, or on Flush. When an hour closes, each IP is
// resolved to the host that held it for the entire hour (see package
// inventory, the one-hour rule); hours without such a host raise nothing.
// A host's hour is then compared with the thresholds, with the host's own
// history (a jump box that always makes outgoing SSH is not anomalous) and
// with what is common in the environment, and only then learned.
//
// Engine is not safe for concurrent use: feed it from one goroutine.
package netdetect

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/eventtime"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/inventory"
	"github.com/vedette/vedette/internal/ti"
)

// Deps are the Engine's collaborators.
type Deps struct {
	// Inventory maps IPs to hosts; a new empty one (learning from flow logs)
	// when nil.
	Inventory *inventory.Inventory
	// TI lists malicious addresses; nil disables the C2 detection.
	TI ti.Matcher
	// Rules, if set, returns the settings for the hosts of a subscription
	// (the Engine's Config with that subscription's overrides applied), or
	// nil for the Engine's own. It is asked when a host's hour closes, for
	// hosts with a subscription only, and must return a valid Config that
	// does not change its EngineWideDiff settings (those are the Engine's
	// anyway). Callers cache: it runs once per host-hour.
	Rules func(subscription string) *Config
	// Owns, if set, says which addresses this Engine keeps state for: a
	// scale-out detect role's partition owns the monitored addresses its
	// flows were keyed by (docs/SCALEOUT.md). Nil: every address.
	Owns   func(ip netip.Addr) bool
	Logger *slog.Logger
}

// Counters are the Engine's running totals.
type Counters struct {
	Flows       uint64 `json:"flows"`        // records observed
	Late        uint64 `json:"late"`         // records of an already closed hour, dropped
	BadTime     uint64 `json:"bad_time"`     // records without a time or outside ±2^53 ms, dropped
	Unmonitored uint64 `json:"unmonitored"`  // records touching no monitored IP
	HostDrops   uint64 `json:"host_drops"`   // records dropped at Config.MaxHosts
	NotHeld     uint64 `json:"not_held"`     // host-hours skipped by the one-hour rule
	HoursClosed uint64 `json:"hours_closed"` // hours closed, alerting or not
	Alerts      uint64 `json:"alerts"`
	// ClockRefused are records of an exporter domain that got no clock:
	// maxClocks or maxDomains reached (clockkey.go). They count, but
	// neither hold an hour open nor close one.
	ClockRefused uint64 `json:"clock_refused,omitempty"`
}

// Engine holds detection state.
type Engine struct {
	cfg     Config
	inv     *inventory.Inventory
	ti      ti.Matcher
	rules   func(string) *Config
	owns    func(netip.Addr) bool // nil: every address (Deps.Owns)
	c2      bool                  // look flows up in TI: some subscription may want C2 alerts
	log     *slog.Logger
	ports   [65536]uint8        // port -> 1+service channel base (chSSHIn/chRDPIn), 0 = none
	open    map[int64]*openHour // hour start (unix s) -> its hosts and reporters
	history map[string]*History
	env     Env
	clocks  map[clockKey]int64 // exporter -> newest flow time, unix ms
	perAddr map[netip.Addr]int // exporter address -> its clocks (domains)
	done    map[int64]struct{} // hours closed (unix s), until the late rules cover them
	now     int64              // wall clock from Tick, unix ms; 0 before the first

	// cur and clock remember the last flow's open hour and exporter
	// clock: consecutive flows mostly share both. forget clears them
	// whenever hours or clocks are removed or replaced.
	cur   *openHour
	clock clockMemo

	lastResource, lastScope string // scopeOf's memo
	counters                Counters
}

// New validates cfg and returns an Engine.
func New(cfg Config, deps Deps) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{
		cfg: cfg, inv: deps.Inventory, ti: deps.TI, rules: deps.Rules, owns: deps.Owns, log: deps.Logger,
		c2:   cfg.C2 || deps.Rules != nil,
		open: map[int64]*openHour{}, history: map[string]*History{},
		clocks: map[clockKey]int64{}, perAddr: map[netip.Addr]int{}, done: map[int64]struct{}{},
	}
	if e.inv == nil {
		e.inv = inventory.New(0)
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	for _, p := range cfg.SSH.Ports {
		e.ports[p] = 1 + chSSHIn
	}
	for _, p := range cfg.RDP.Ports {
		if e.ports[p] != 0 {
			return nil, fmt.Errorf("netdetect: port %d is both ssh and rdp: %w", p, ErrConfig)
		}
		e.ports[p] = 1 + chRDPIn
	}
	return e, nil
}

// Counters returns the running totals.
func (e *Engine) Counters() Counters { return e.counters }

// Observe adds one flow record and returns the alerts of the hours its
// exporter's clock closes (usually none).
func (e *Engine) Observe(r *flow.Record) []event.Alert {
	e.counters.Flows++
	t := r.Time()
	ms := eventtime.UnixMilli(t)
	if t.IsZero() || ms > maxMs || ms < -maxMs {
		e.counters.BadTime++
		return nil
	}
	if e.cfg.LearnFromFlowLogs && r.MAC != "" {
		e.inv.LearnRecord(r)
	}
	hour, exp := hourStart(ms), clockKey{r.Exporter.Unmap(), r.Domain}
	if e.late(exp, hour) {
		e.counters.Late++
		return nil
	}
	if !e.clockable(exp) {
		e.counters.ClockRefused++
		e.add(r, hour, ms)
		return nil
	}
	if e.add(r, hour, ms) {
		e.report(exp, hour)
	}
	return e.advance(exp, ms)
}

func hourStart(ms int64) int64 {
	s := ms / 1000
	if ms < 0 && ms%1000 != 0 {
		s--
	}
	return s - ((s%3600)+3600)%3600
}

// add routes r to the monitored IPs on either side and reports whether
// any was.
func (e *Engine) add(r *flow.Record, hour, ms int64) bool {
	src, dst := r.Src.Unmap(), r.Dst.Unmap()
	scope := e.scopeOf(r.Resource)
	hs, hd := e.hostHour(scope, src, hour, ms), e.hostHour(scope, dst, hour, ms)
	if hs == nil && hd == nil {
		e.counters.Unmonitored++
		return false
	}
	t := e.openAt(hour).hosts
	svc, reverse := e.service(r)
	maxB := e.cfg.SSH.MaxAttemptBytes
	if svc == chRDPIn {
		maxB = e.cfg.RDP.MaxAttemptBytes
	}
	if hs != nil {
		touch(t, hs, r, ms)
		if svc >= 0 && !reverse {
			count(t.use(hs, svc+1), r, dst.As16(), false, ms, maxB) // outgoing
		}
		e.checkC2(t, hs, r, dst, r.DstPort, true, ms)
	}
	if hd != nil {
		touch(t, hd, r, ms)
		if svc >= 0 && !reverse {
			count(t.use(hd, svc), r, src.As16(), true, ms, maxB) // incoming
			if r.Auth == flow.AuthSuccess {
				t.noteSuccess(hd, svc, src.As16(), uint32(min(r.Scale(), maxScale)))
			}
		}
		e.checkC2(t, hd, r, src, r.SrcPort, false, ms)
	}
	return true
}

// service returns the incoming channel of r's service (-1 for none) and
// whether r is the server's reply direction (source port is the service).
func (e *Engine) service(r *flow.Record) (int, bool) {
	if r.Proto != flow.ProtoTCP {
		return -1, false
	}
	if c := e.ports[r.DstPort]; c != 0 {
		return int(c) - 1, false
	}
	if c := e.ports[r.SrcPort]; c != 0 {
		return int(c) - 1, true
	}
	return -1, false
}

func touch(t *hostTable, h *hostHour, r *flow.Record, ms int64) {
	h.flows++
	if ms >= h.lastTime {
		h.lastTime, h.source, h.record = ms, t.sourceIndex(r.Source), r.Index
	}
}

// hostKey is a monitored address in the scope its flow log names (the
// subscription of the NSG or VNet; "" for IPFIX, NetFlow and Zeek): the
// same private address in two subscriptions is two hosts.
type hostKey struct {
	scope string
	ip    netip.Addr
}

func (k hostKey) compare(o hostKey) int {
	return cmp.Or(k.ip.Compare(o.ip), cmp.Compare(k.scope, o.scope))
}

// scopeOf returns the lower-case subscription of a flow log's resource ID;
// the records of one file share it, so the last one is remembered.
func (e *Engine) scopeOf(resource string) string {
	if resource != e.lastResource {
		e.lastResource, e.lastScope = resource, inventory.Subscription(resource)
	}
	return e.lastScope
}

// hostHour returns the state of ip in scope for hour if ip is monitored.
func (e *Engine) hostHour(scope string, ip netip.Addr, hour, ms int64) *hostHour {
	if !ip.IsValid() || e.owns != nil && !e.owns(ip) {
		return nil
	}
	o := e.openAt(hour)
	if o != nil {
		if h := o.hosts.get(scope, ip); h != nil {
			return h
		}
	}
	// A record naming no subscription (IPFIX) or another one than the
	// inventory's joins the key the inventory knows the address by.
	in, known := e.inv.Resolve(scope, ip, time.UnixMilli(ms))
	if in != scope && o != nil {
		if h := o.hosts.get(in, ip); h != nil {
			return h
		}
	}
	if !known && !e.inPrefixes(ip) {
		return nil
	}
	if o == nil {
		o = &openHour{start: hour, hosts: newHostTable()}
		e.open[hour], e.cur = o, o
	}
	if o.hosts.n >= e.cfg.MaxHosts {
		e.counters.HostDrops++
		return nil
	}
	return o.hosts.add(in, ip)
}

// openAt returns the open hour starting at hour, or nil.
func (e *Engine) openAt(hour int64) *openHour {
	if e.cur != nil && e.cur.start == hour {
		return e.cur
	}
	o := e.open[hour]
	if o != nil {
		e.cur = o
	}
	return o
}

// inPrefixes reports whether ip is in Config.MonitorPrefixes.
func (e *Engine) inPrefixes(ip netip.Addr) bool {
	for _, p := range e.cfg.MonitorPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ErrSnapshot marks a snapshot that cannot be restored.
var ErrSnapshot = errors.New("bad snapshot")
