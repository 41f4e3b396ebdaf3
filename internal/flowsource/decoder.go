package flowsource

import (
	"bytes"
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sync"
	"time"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
	"github.com/netsampler/goflow2/v2/decoders/netflowlegacy"

	"github.com/vedette/vedette/internal/flow"
)

// Counters are the collector's running totals. Decode errors are split by
// reason so that a noisy exporter can be told from a broken one.
type Counters struct {
	Packets          uint64
	Flows            uint64
	Dropped          uint64 // packets dropped before decoding: exporter cap reached, none evictable
	NotAllowed       uint64 // packets from addresses outside Config.Exporters
	Evicted          uint64 // exporters evicted: idle, or never produced a flow when room was needed
	TemplateMemory   uint64 // templates rejected at Config.MaxTemplateMemory
	Truncated        uint64 // packets or sets shorter than they claim
	UnknownTemplate  uint64 // data sets whose template was not (yet) seen
	BadVersion       uint64
	TemplateRejected uint64 // zero-size, oversized or over-cap templates
	Malformed        uint64 // any other decode error, incl. recovered panics
	Withdrawn        uint64 // templates withdrawn by exporters
	// Overruns are data sets of variable-length templates whose records
	// run past their set. The fast path leaves such packets to goflow2,
	// which decodes the cut record with empty or truncated values or
	// fails the set (then also counted as Truncated or Malformed).
	Overruns      uint64
	Exporters     int   // exporters keeping state now
	TemplateBytes int64 // their template memory now (estimated)
}

// ErrVersion is returned for packets that are not NetFlow v5/v9 or IPFIX.
var ErrVersion = errors.New("unsupported version")

// exporter is the state kept per exporter address and port.
type exporter struct {
	source   string
	addr     netip.Addr
	tpl      templates
	sampling map[uint32]uint32 // observation domain -> rate from options data
	initMs   map[uint32]uint64 // observation domain -> systemInitTimeMilliseconds
	override uint32
	key      netip.AddrPort
	lastSeen time.Time     // wall clock of its last packet
	queued   *list.Element // in Decoder.unproven until it produces a flow
}

// Decoder decodes UDP payloads into flow records, keeping templates and
// sampling rates per exporter. It is safe for concurrent use.
//
// Templates are parsed by goflow2 and compiled into plans (plan.go); data
// sets are then decoded straight into records without allocating
// (fastpath.go), template sets beside them learnt in packet order and
// identical refreshes recognised without parsing (fasttemplates.go), and
// NetFlow v5 read in place. Any packet the fast path does not accept whole
// (withdrawals, templates AddTemplate would refuse, variable-length
// records running past their set, anything goflow2 counts as an error but
// an unknown template) goes through goflow2.
type Decoder struct {
	cfg       Config
	goflow2   bool // never take the fast path
	mu        sync.Mutex
	exporters map[netip.AddrPort]*exporter
	unproven  *list.List // of *exporter, oldest first: evicted first at the cap
	mem       memory
	now       func() time.Time
	lastSweep time.Time
	counters  Counters
	fast      uint64    // packets decoded by the fast path
	sets      []fastSet // accept's scratch
	pending   []pendingTemplate
	unknown   []uint16 // data sets accept skipped: template not known
	enc       []byte   // a known template encoded, to compare with a refresh
	newKeys   int      // templates pending in accept that are new to the exporter
	memUsed   int64    // template memory once the pending templates are learnt
	nf9       netflow.NFv9Packet
	ipfix     netflow.IPFIXPacket
	v5        netflowlegacy.PacketNetFlowV5
}

// NewDecoder returns a Decoder with cfg's caps and sampling overrides.
func NewDecoder(cfg Config) *Decoder {
	return &Decoder{cfg: cfg, exporters: map[netip.AddrPort]*exporter{}, unproven: list.New(),
		mem: memory{max: cfg.MaxTemplateMemory}, now: time.Now}
}

// NewGoflow2Decoder returns a Decoder that decodes every packet with
// goflow2, never the fast path: the reference the fast path is tested and
// measured against.
func NewGoflow2Decoder(cfg Config) *Decoder {
	d := NewDecoder(cfg)
	d.goflow2 = true
	return d
}

// Counters returns a copy of the running totals.
func (d *Decoder) Counters() Counters {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.counters
	for _, e := range d.exporters {
		c.Withdrawn += e.tpl.withdrawn
	}
	c.Exporters, c.TemplateBytes = len(d.exporters), d.mem.used
	return c
}

// Decode decodes one UDP payload from from, appends its flow records to
// out and returns it. Errors are also counted; records decoded before an
// error are still returned.
func (d *Decoder) Decode(from netip.AddrPort, payload []byte, out []flow.Record) (res []flow.Record, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.counters.Packets++
	n := len(out)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("flowsource: decoder panic: %v", p)
			d.counters.Malformed++
			res = out[:n]
		}
		d.counters.Flows += uint64(len(res) - n)
	}()
	return d.decode(from, payload, out)
}

func (d *Decoder) decode(from netip.AddrPort, payload []byte, out []flow.Record) ([]flow.Record, error) {
	if len(payload) < 2 {
		d.counters.Truncated++
		return out, fmt.Errorf("flowsource: %w: short packet", ErrVersion)
	}
	v := binary.BigEndian.Uint16(payload)
	if v != 5 && v != 9 && v != 10 {
		// Before any state: random bytes never take an exporter's place.
		d.counters.BadVersion++
		return out, fmt.Errorf("flowsource: %w %d", ErrVersion, v)
	}
	if !d.allowed(from.Addr()) {
		d.counters.NotAllowed++
		return out, fmt.Errorf("flowsource: %v is not a configured exporter", from)
	}
	e := d.exporter(from)
	if e == nil {
		d.counters.Dropped++
		return out, fmt.Errorf("flowsource: exporter cap reached, dropped %v", from)
	}
	n := len(out)
	var err error
	if v == 5 {
		out, err = d.decodeV5(e, payload, out)
	} else {
		out, err = d.decodeTemplated(e, payload, out)
	}
	if len(out) > n && e.queued != nil {
		d.unproven.Remove(e.queued)
		e.queued = nil
	}
	return out, err
}

func (d *Decoder) exporter(from netip.AddrPort) *exporter {
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	now := d.now()
	if now.Sub(d.lastSweep) >= time.Second {
		d.sweep(now)
	}
	if e := d.exporters[from]; e != nil {
		e.lastSeen = now
		return e
	}
	if len(d.exporters) >= d.cfg.MaxExporters && !d.makeRoom() {
		return nil
	}
	e := &exporter{
		source: "udp:" + from.Addr().String(),
		addr:   from.Addr(),
		tpl: templates{m: map[uint64]any{}, plans: map[uint64]*plan{}, max: d.cfg.MaxTemplates,
			maxFields: d.cfg.MaxTemplateFields, mem: &d.mem},
		sampling: map[uint32]uint32{}, initMs: map[uint32]uint64{},
		override: d.cfg.Sampling[from.Addr()],
		key:      from, lastSeen: now,
	}
	e.queued = d.unproven.PushBack(e)
	d.exporters[from] = e
	return e
}

func (d *Decoder) decodeTemplated(e *exporter, payload []byte, out []flow.Record) (_ []flow.Record, err error) {
	if !d.goflow2 {
		p, ok := d.accept(e, payload)
		if ok {
			d.fast++
			out, err = d.decodeFast(e, &p, out)
		}
		if len(d.pending) > 0 {
			clear(d.pending) // the scratch keeps no template alive
		}
		if ok {
			return out, err
		}
	}
	buf := bytes.NewBuffer(payload)
	d.nf9.FlowSets, d.ipfix.FlowSets = d.nf9.FlowSets[:0], d.ipfix.FlowSets[:0]
	derr := netflow.DecodeMessageVersion(buf, &e.tpl, &d.nf9, &d.ipfix)
	var p packetCtx
	var sets []any
	if binary.BigEndian.Uint16(payload) == 9 {
		p = packetCtx{version: 9, domain: d.nf9.SourceId, exportMs: uint64(d.nf9.UnixSeconds) * 1000, uptimeMs: uint64(d.nf9.SystemUptime)}
		sets = d.nf9.FlowSets
	} else {
		p = packetCtx{version: 10, domain: d.ipfix.ObservationDomainId, exportMs: uint64(d.ipfix.ExportTime) * 1000}
		sets = d.ipfix.FlowSets
	}
	out = d.convertSets(e, &p, sets, out)
	if derr != nil {
		d.countError(derr)
		return out, decodeError{derr}
	}
	return out, nil
}

// decodeError is a goflow2 decode error as Decode returns it. Its text is
// built only when read: the collector only counts errors, and some
// exporters send data for templates they never send in every packet.
type decodeError struct{ err error }

func (e decodeError) Error() string { return "flowsource: " + e.err.Error() }
func (e decodeError) Unwrap() error { return e.err }

func (d *Decoder) countError(err error) {
	switch {
	case errors.Is(err, netflow.ErrorTemplateNotFound):
		d.counters.UnknownTemplate++
	case errors.Is(err, ErrTemplateMemory):
		d.counters.TemplateMemory++
	case errors.Is(err, ErrTemplateCap), errors.Is(err, ErrTemplateEmpty), errors.Is(err, ErrTemplateLarge):
		d.counters.TemplateRejected++
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		d.counters.Truncated++
	default:
		d.counters.Malformed++
	}
}
