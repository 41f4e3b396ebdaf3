package flowsource

import (
	"bytes"
	"encoding/binary"
	"slices"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
)

// Template sets on the fast path. Exporters re-send their templates every
// few packets, most often beside data sets (softflowd, pmacct nfprobe,
// nProbe, Cisco IOS). accept recognises a set that repeats the known
// templates byte for byte (refresh), parses any other with goflow2's own
// template set decoders, so that the templates learnt are exactly
// goflow2's, and checks that AddTemplate will take every one of them;
// decodeFast then learns them in packet order, so that a data set uses the
// template defined before it in the packet (RFC 7011 section 8 and RFC
// 3954 section 5 let template and data sets share a message) and a data
// set before its template's first definition is skipped and its template
// reported unknown, as goflow2 does.

// pendingTemplate is a template record of the packet being accepted.
type pendingTemplate struct {
	key  uint64
	tpl  any
	plan *plan
	same bool // identical to the template it replaces: nothing to learn
}

// acceptTemplates parses a template set and appends its records to
// d.pending. It reports false when goflow2 would fail the set or
// AddTemplate would refuse a record (caps, memory, shape), and for
// withdrawals, which goflow2 handles.
func (d *Decoder) acceptTemplates(e *exporter, p *packetCtx, id uint16, body []byte) bool {
	if d.refresh(e, p, id, body) {
		return true
	}
	recs, err := parseTemplateSet(p.version, id, body)
	if err != nil {
		return false
	}
	t := &e.tpl
	for _, tpl := range recs {
		k := tkey(p.version, p.domain, templateID(tpl))
		fields, fixed, variable := shape(p.version, tpl)
		if fields == 0 || fields > t.maxFields || fixed == 0 && !variable {
			return false
		}
		old, pl, known := d.current(t, k)
		if known && sameTemplate(old, tpl) {
			d.pending = append(d.pending, pendingTemplate{key: k, tpl: old, plan: pl, same: true})
			continue
		}
		cost := templateCost(fields)
		if known {
			cost -= t.costOf(k, old)
		} else if len(t.m)+d.newKeys >= t.max {
			return false
		}
		if d.memUsed+cost > d.mem.max {
			return false
		}
		d.memUsed += cost
		if !known {
			d.newKeys++
		}
		d.pending = append(d.pending, pendingTemplate{key: k, tpl: tpl, plan: compile(tpl)})
	}
	return true
}

// refresh reports whether body repeats, byte for byte, templates known at
// this point of the packet, as exporters re-send them; then it appends them
// to d.pending as unchanged, without parsing or allocating. goflow2 would
// parse each of them back into the template it replaces.
func (d *Decoder) refresh(e *exporter, p *packetCtx, id uint16, body []byte) bool {
	n := len(d.pending)
	for b := body; len(b) >= 4; { // goflow2 reads records while 4 bytes are left
		k := tkey(p.version, p.domain, uint16(b[0])<<8|uint16(b[1]))
		old, pl, known := d.current(&e.tpl, k)
		if !known {
			d.pending = d.pending[:n]
			return false
		}
		d.enc = encodeTemplate(d.enc[:0], p.version, id, old)
		if len(d.enc) == 0 || !bytes.HasPrefix(b, d.enc) {
			d.pending = d.pending[:n]
			return false
		}
		d.pending = append(d.pending, pendingTemplate{key: k, tpl: old, plan: pl, same: true})
		b = b[len(d.enc):]
	}
	return true
}

// encodeTemplate appends tpl as template set id carries it, the inverse
// of goflow2's template set decoders; nothing when tpl is not of the
// set's kind.
func encodeTemplate(dst []byte, version, id uint16, tpl any) []byte {
	be := binary.BigEndian
	switch v := tpl.(type) {
	case netflow.TemplateRecord:
		if id != 0 && id != 2 {
			return dst
		}
		dst = be.AppendUint16(be.AppendUint16(dst, v.TemplateId), v.FieldCount)
		return encodeFields(dst, version, v.Fields, true)
	case netflow.NFv9OptionsTemplateRecord:
		if id != 1 {
			return dst
		}
		dst = be.AppendUint16(be.AppendUint16(be.AppendUint16(dst, v.TemplateId), v.ScopeLength), v.OptionLength)
		return encodeFields(encodeFields(dst, version, v.Scopes, false), version, v.Options, false)
	case netflow.IPFIXOptionsTemplateRecord:
		if id != 3 {
			return dst
		}
		dst = be.AppendUint16(be.AppendUint16(be.AppendUint16(dst, v.TemplateId), v.FieldCount), v.ScopeFieldCount)
		return encodeFields(encodeFields(dst, version, v.Scopes, false), version, v.Options, false)
	}
	return dst
}

// encodeFields appends field specifiers. goflow2 clears the enterprise bit
// of the types of (options-less) IPFIX templates only: stripped says so.
func encodeFields(dst []byte, version uint16, fields []netflow.Field, stripped bool) []byte {
	be := binary.BigEndian
	for _, f := range fields {
		typ := f.Type
		if f.PenProvided && stripped {
			typ |= 0x8000
		}
		dst = be.AppendUint16(be.AppendUint16(dst, typ), f.Length)
		if f.PenProvided && version == 10 {
			dst = be.AppendUint32(dst, f.Pen)
		}
	}
	return dst
}

// current returns the template k stands for at this point of the packet:
// its last definition in the packet, else the exporter's.
func (d *Decoder) current(t *templates, k uint64) (any, *plan, bool) {
	for i := len(d.pending) - 1; i >= 0; i-- {
		if d.pending[i].key == k {
			return d.pending[i].tpl, d.pending[i].plan, true
		}
	}
	tpl, ok := t.m[k]
	return tpl, t.plans[k], ok
}

// planAt returns the plan of data set k at this point of the packet, and
// whether its template is known at all. accept calls it only when a
// template is pending or k has no plan: otherwise the exporter's plans
// answer in one map lookup.
func (d *Decoder) planAt(t *templates, k uint64) (*plan, bool) {
	_, pl, known := d.current(t, k)
	return pl, known
}

// learnPending adds a template set's records as goflow2 would, with the
// plans accept compiled. accept checked that AddTemplate takes them.
func (d *Decoder) learnPending(e *exporter, p *packetCtx, s *fastSet) error {
	for _, pt := range d.pending[s.first:s.last] {
		if pt.same {
			continue // AddTemplate would replace it with its equal
		}
		if err := e.tpl.add(p.version, pt.key, pt.tpl, pt.plan, true); err != nil {
			d.countError(err)
			return err
		}
	}
	return nil
}

// parseTemplateSet decodes a template or options template set as
// DecodeMessageCommonFlowSet does.
func parseTemplateSet(version, id uint16, body []byte) ([]any, error) {
	buf := bytes.NewBuffer(body)
	var out []any
	switch {
	case id == 0 && version == 9 || id == 2 && version == 10:
		recs, err := netflow.DecodeTemplateSet(version, buf)
		for _, r := range recs {
			out = append(out, r)
		}
		return out, err
	case id == 1 && version == 9:
		recs, err := netflow.DecodeNFv9OptionsTemplateSet(buf)
		for _, r := range recs {
			out = append(out, r)
		}
		return out, err
	default:
		recs, err := netflow.DecodeIPFIXOptionsTemplateSet(buf)
		for _, r := range recs {
			out = append(out, r)
		}
		return out, err
	}
}

func templateID(tpl any) uint16 {
	switch v := tpl.(type) {
	case netflow.TemplateRecord:
		return v.TemplateId
	case netflow.IPFIXOptionsTemplateRecord:
		return v.TemplateId
	case netflow.NFv9OptionsTemplateRecord:
		return v.TemplateId
	}
	return 0
}

// sameTemplate says whether two template records are equal in everything
// goflow2 and the plans read.
func sameTemplate(a, b any) bool {
	switch x := a.(type) {
	case netflow.TemplateRecord:
		y, ok := b.(netflow.TemplateRecord)
		return ok && x.TemplateId == y.TemplateId && x.FieldCount == y.FieldCount && slices.Equal(x.Fields, y.Fields)
	case netflow.IPFIXOptionsTemplateRecord:
		y, ok := b.(netflow.IPFIXOptionsTemplateRecord)
		return ok && x.TemplateId == y.TemplateId && x.FieldCount == y.FieldCount && x.ScopeFieldCount == y.ScopeFieldCount &&
			slices.Equal(x.Scopes, y.Scopes) && slices.Equal(x.Options, y.Options)
	case netflow.NFv9OptionsTemplateRecord:
		y, ok := b.(netflow.NFv9OptionsTemplateRecord)
		return ok && x.TemplateId == y.TemplateId && x.ScopeLength == y.ScopeLength && x.OptionLength == y.OptionLength &&
			slices.Equal(x.Scopes, y.Scopes) && slices.Equal(x.Options, y.Options)
	}
	return false
}
