package flowsource

import (
	"encoding/binary"
	"slices"

	"github.com/vedette/vedette/internal/flow"
)

// Header lengths of NetFlow v9 and IPFIX packets.
const (
	nf9Header   = 20
	ipfixHeader = 16
)

// fastSet is a data set the fast path accepted, with its template's plan.
type fastSet struct {
	plan *plan
	body []byte
}

// accept walks a NetFlow v9 or IPFIX packet's sets exactly as goflow2's
// DecodeMessageCommon does and reports whether the fast path decodes it
// the same way: only data sets whose templates have plans, nothing goflow2
// would count as an error. It changes no state but d.sets, which it fills.
func (d *Decoder) accept(e *exporter, payload []byte) (packetCtx, bool) {
	p, ok := parseHeader(payload)
	if !ok {
		return p, false
	}
	be := binary.BigEndian
	start := nf9Header
	if p.version == 10 {
		start = ipfixHeader
	}
	count := int(be.Uint16(payload[2:]))         // NetFlow v9: goflow2 reads at most count sets
	size := be.Uint16(payload[2:]) - ipfixHeader // IPFIX: sets end past this many bytes (wraps as in goflow2)
	d.sets = d.sets[:0]
	for i, pos := 0, start; pos < len(payload); i++ {
		if p.version == 9 && i >= count || p.version == 10 && uint16(pos-start) >= size {
			break
		}
		if len(payload)-pos < 4 {
			return p, false // goflow2: truncated set header
		}
		id, n := be.Uint16(payload[pos:]), int(be.Uint16(payload[pos+2:]))-4
		if n < 0 || id < 256 {
			return p, false // an error, or a template set goflow2 must learn
		}
		pl := e.tpl.plan(p.version, p.domain, id)
		if pl == nil {
			return p, false // unknown template or one with variable-length fields
		}
		end := min(pos+4+n, len(payload)) // goflow2 takes what is left of a long set
		d.sets = append(d.sets, fastSet{plan: pl, body: payload[pos+4 : end]})
		pos = end
	}
	return p, true
}

// parseHeader reads the header fields records need, as decodeTemplated
// takes them from goflow2's packets.
func parseHeader(b []byte) (packetCtx, bool) {
	be := binary.BigEndian
	switch v := be.Uint16(b); {
	case v == 9 && len(b) >= nf9Header:
		return packetCtx{version: 9, domain: be.Uint32(b[16:]), exportMs: uint64(be.Uint32(b[8:])) * 1000, uptimeMs: uint64(be.Uint32(b[4:]))}, true
	case v == 10 && len(b) >= ipfixHeader:
		return packetCtx{version: 10, domain: be.Uint32(b[12:]), exportMs: uint64(be.Uint32(b[4:])) * 1000}, true
	}
	return packetCtx{}, false
}

// decodeFast decodes the sets accept collected, in packet order so that
// options data changes the records after it as in convertSets.
func (d *Decoder) decodeFast(e *exporter, p *packetCtx, out []flow.Record) []flow.Record {
	p.learn(e)
	for _, s := range d.sets {
		if s.plan.options {
			e.fastOptions(p.domain, s)
			p.learn(e)
			continue
		}
		out = e.fastRecords(p, s, out)
	}
	return out
}

// fastRecords appends a data set's records. Like goflow2 it decodes
// records while a whole one is left and ignores the padding after them.
func (e *exporter) fastRecords(p *packetCtx, s fastSet, out []flow.Record) []flow.Record {
	size := s.plan.size
	out = slices.Grow(out, len(s.body)/size)
	for b := s.body; len(b) >= size; b = b[size:] {
		out = append(out, flow.Record{Exporter: e.addr, Source: e.source, Index: len(out) + 1})
		r := &out[len(out)-1]
		var tm times
		for _, op := range s.plan.ops {
			setField(r, &tm, op.kind, b[op.off:op.off+op.n])
		}
		e.finish(r, p, &tm)
	}
	return out
}

// fastOptions learns from an options data set as exporter.options does.
func (e *exporter) fastOptions(domain uint32, s fastSet) {
	size := s.plan.size
	for b := s.body; len(b) >= size; b = b[size:] {
		for _, op := range s.plan.ops {
			e.option(domain, op.kind, b[op.off:op.off+op.n])
		}
	}
}
