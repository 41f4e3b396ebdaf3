package flowsource

import (
	"encoding/binary"
	"errors"
	"slices"

	"github.com/netsampler/goflow2/v2/decoders/netflow"

	"github.com/vedette/vedette/internal/flow"
)

// Header lengths of NetFlow v9 and IPFIX packets.
const (
	nf9Header   = 20
	ipfixHeader = 16
)

// fastSet is a set accepted by the fast path: a data set with its
// template's plan, or (plan nil) a template set whose templates are
// d.pending[first:last].
type fastSet struct {
	plan        *plan
	body        []byte
	first, last int
}

// accept walks a NetFlow v9 or IPFIX packet's sets exactly as goflow2's
// DecodeMessageCommon does and reports whether the fast path decodes it
// the same way: template sets goflow2 would learn without error, then data
// sets whose templates (known before the packet or learnt earlier in it)
// have plans and whose records are whole, nothing goflow2 would count as
// an error but unknown templates. It changes no state but its scratch
// (d.sets, d.pending, d.unknown).
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
	d.sets, d.pending, d.unknown = d.sets[:0], d.pending[:0], d.unknown[:0]
	d.newKeys, d.memUsed = 0, d.mem.used
	for i, pos := 0, start; pos < len(payload); i++ {
		if p.version == 9 && i >= count || p.version == 10 && uint16(pos-start) >= size {
			break
		}
		if len(payload)-pos < 4 {
			return p, false // goflow2: truncated set header
		}
		id, n := be.Uint16(payload[pos:]), int(be.Uint16(payload[pos+2:]))-4
		if n < 0 {
			return p, false
		}
		end := min(pos+4+n, len(payload)) // goflow2 takes what is left of a long set
		body := payload[pos+4 : end]
		pos = end
		if isTemplateSet(p.version, id) {
			first := len(d.pending)
			if !d.acceptTemplates(e, &p, id, body) {
				return p, false
			}
			d.sets = append(d.sets, fastSet{body: body, first: first, last: len(d.pending)})
			continue
		}
		if id < 256 {
			return p, false // goflow2: ID error
		}
		k := tkey(p.version, p.domain, id)
		pl := e.tpl.plans[k]
		if pl == nil || len(d.pending) > 0 {
			var known bool
			if pl, known = d.planAt(&e.tpl, k); !known {
				d.unknown = append(d.unknown, id) // goflow2 skips the set, reports it and goes on
				continue
			}
		}
		if pl == nil {
			return p, false // a template the fast path cannot decode
		}
		if pl.variable && !pl.fits(body) {
			d.counters.Overruns++
			return p, false
		}
		d.sets = append(d.sets, fastSet{plan: pl, body: body})
	}
	return p, true
}

// isTemplateSet says whether set id carries templates or options
// templates: 0 and 1 in NetFlow v9, 2 and 3 in IPFIX.
func isTemplateSet(version, id uint16) bool {
	if version == 9 {
		return id <= 1
	}
	return id == 2 || id == 3
}

// parseHeader reads the header fields records need, as decodeTemplated
// takes them from goflow2's packets.
func parseHeader(b []byte) (packetCtx, bool) {
	be := binary.BigEndian
	if v := be.Uint16(b); v == 9 && len(b) >= nf9Header {
		return packetCtx{version: 9, domain: be.Uint32(b[16:]), exportMs: uint64(be.Uint32(b[8:])) * 1000, uptimeMs: uint64(be.Uint32(b[4:]))}, true
	} else if v == 10 && len(b) >= ipfixHeader {
		return packetCtx{version: 10, domain: be.Uint32(b[12:]), exportMs: uint64(be.Uint32(b[4:])) * 1000}, true
	}
	return packetCtx{}, false
}

// decodeFast decodes the sets accept collected, in packet order: templates
// are learnt where they stand, and options data changes the records after
// it as in convertSets.
func (d *Decoder) decodeFast(e *exporter, p *packetCtx, out []flow.Record) ([]flow.Record, error) {
	p.learn(e)
	for i := range d.sets {
		s := &d.sets[i]
		switch {
		case s.plan == nil:
			if err := d.learnPending(e, p, s); err != nil {
				return out, decodeError{err} // not reached: accept checked
			}
		case s.plan.options:
			e.fastOptions(p.domain, s)
			p.learn(e)
		case s.plan.variable:
			out = e.varRecords(p, s, out)
		default:
			out = e.fastRecords(p, s, out)
		}
	}
	if len(d.unknown) > 0 {
		err := d.unknownError(p)
		d.countError(err)
		return out, decodeError{err}
	}
	return out, nil
}

// unknownError is the error goflow2 returns for a packet whose data sets
// in d.unknown have no template, built the same way so that it reads the
// same and is counted the same.
func (d *Decoder) unknownError(p *packetCtx) error {
	var err error
	for _, id := range d.unknown {
		err = errors.Join(err, &netflow.FlowError{Version: p.version, Type: "Decode", ObsDomainId: p.domain, TemplateId: id, Err: netflow.ErrorTemplateNotFound})
	}
	name := "NetFlowV9"
	if p.version == 10 {
		name = "IPFIX"
	}
	return &netflow.DecoderError{Decoder: name, Err: &netflow.DecoderError{Decoder: name, Err: err}}
}

// fastRecords appends a data set's records. Like goflow2 it decodes
// records while a whole one is left and ignores the padding after them.
func (e *exporter) fastRecords(p *packetCtx, s *fastSet, out []flow.Record) []flow.Record {
	size, ops := s.plan.size, s.plan.ops
	n := len(out)
	out = slices.Grow(out, len(s.body)/size)[:n+len(s.body)/size]
	clear(out[n:]) // cleared once and written in place: an appended literal is built aside and copied
	for i, b := n, s.body; len(b) >= size; i, b = i+1, b[size:] {
		r := &out[i]
		r.Exporter, r.Source, r.Index = e.addr, e.source, i+1
		var tm times
		for _, op := range ops {
			setField(r, &tm, op.kind, b[op.off:op.off+op.n])
		}
		e.finish(r, p, &tm)
	}
	return out
}

// varRecords appends the records of a data set whose template has
// variable-length fields; accept checked with plan.fits that they are
// whole.
func (e *exporter) varRecords(p *packetCtx, s *fastSet, out []flow.Record) []flow.Record {
	for b := s.body; len(b) >= s.plan.size; {
		out = slices.Grow(out, 1)[:len(out)+1]
		r := &out[len(out)-1]
		*r = flow.Record{} // cleared in place, not built aside and copied
		r.Exporter, r.Source, r.Index = e.addr, e.source, len(out)
		var tm times
		n := s.plan.walk(b, func(k kind, v []byte) { setField(r, &tm, k, v) })
		e.finish(r, p, &tm)
		if n < 0 {
			break // not reached: fits accepted the set
		}
		b = b[n:]
	}
	return out
}

// fastOptions learns from an options data set as exporter.options does.
func (e *exporter) fastOptions(domain uint32, s *fastSet) {
	size := s.plan.size
	visit := func(k kind, v []byte) { e.option(domain, k, v) }
	for b := s.body; len(b) >= size; {
		n := size
		if s.plan.variable {
			if n = s.plan.walk(b, visit); n < 0 {
				return // not reached: fits accepted the set
			}
		} else {
			for _, op := range s.plan.ops {
				e.option(domain, op.kind, b[op.off:op.off+op.n])
			}
		}
		b = b[n:]
	}
}
