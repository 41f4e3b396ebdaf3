package flowsource

import "github.com/netsampler/goflow2/v2/decoders/netflow"

// kind is what Vedette does with an information element, numbered densely
// so that the per-field switch compiles to a jump table. Both decode paths
// go through kindOf and setField, so they cannot disagree on a field.
type kind uint8

// Kinds of the information elements read.
const (
	kindNone kind = iota
	kindSrc
	kindDst
	kindSrcPort
	kindDstPort
	kindProto
	kindTCPFlags
	kindBytes
	kindPackets
	kindDirection
	kindFwdStatus
	kindFwEvent
	kindSampling
	kindStartSec
	kindEndSec
	kindStartMs
	kindEndMs
	kindStartUptime
	kindEndUptime
	kindSysInit // options data only
)

// kindOf maps an IANA element number (not enterprise-specific) to a kind.
func kindOf(typ uint16) kind {
	switch typ {
	case ieSrcV4, ieSrcV6:
		return kindSrc
	case ieDstV4, ieDstV6:
		return kindDst
	case ieSrcPort:
		return kindSrcPort
	case ieDstPort:
		return kindDstPort
	case ieProto:
		return kindProto
	case ieTCPFlags:
		return kindTCPFlags
	case ieOctets, ieOctetsTotal:
		return kindBytes
	case iePackets, iePacketsTotal:
		return kindPackets
	case ieDirection:
		return kindDirection
	case ieFwdStatus:
		return kindFwdStatus
	case ieFwEvent, ieASAFwEvent:
		return kindFwEvent
	case ieSampInterval, ieSamplerRandom, ieSampPacketInt:
		return kindSampling
	}
	return kindOfTime(typ)
}

func kindOfTime(typ uint16) kind {
	switch typ {
	case ieStartSec:
		return kindStartSec
	case ieEndSec:
		return kindEndSec
	case ieStartMs:
		return kindStartMs
	case ieEndMs:
		return kindEndMs
	case ieStartUptime:
		return kindStartUptime
	case ieEndUptime:
		return kindEndUptime
	case ieSysInitMs:
		return kindSysInit
	}
	return kindNone
}

// fieldOp reads one field of a record. In a variable-length plan n is
// varLen for a field whose length precedes it in the record.
type fieldOp struct {
	off, n uint16
	kind   kind
}

// varLen is the template length of a variable-length field (RFC 7011
// section 7).
const varLen = 0xffff

// plan is a template compiled for the fast path. A fixed-length plan says
// where the fields Vedette reads sit in each record; a variable-length
// plan lists every field in order, so that the offsets are computed per
// record and the fields Vedette does not read are walked over.
type plan struct {
	size     int       // fixed part of a record (goflow2's GetTemplateSize), > 0
	options  bool      // options template: ops are sampling and init time
	variable bool      // some field is variable-length: steps, not ops
	ops      []fieldOp // fixed plans, in template order so that later fields win as in setField
	steps    []fieldOp // variable plans: all fields, unread fixed neighbours merged
}

// compile returns tpl's plan, or nil when the fast path cannot decode its
// data sets.
func compile(tpl any) *plan {
	switch v := tpl.(type) {
	case netflow.TemplateRecord:
		return compileFields(nil, v.Fields, false)
	case netflow.IPFIXOptionsTemplateRecord:
		return compileFields(v.Scopes, v.Options, true)
	case netflow.NFv9OptionsTemplateRecord:
		return compileFields(v.Scopes, v.Options, true)
	}
	return nil
}

// compileFields lays out scopes then fields; only fields are read. For
// data templates scopes is nil; for options templates only sampling and
// init time are kept, as exporter.options reads.
func compileFields(scopes, fields []netflow.Field, options bool) *plan {
	p := &plan{options: options}
	for _, f := range append(scopes[:len(scopes):len(scopes)], fields...) {
		p.variable = p.variable || f.Length == varLen
	}
	off := 0
	for i, f := range append(scopes[:len(scopes):len(scopes)], fields...) {
		k := kindNone
		if i >= len(scopes) && !f.PenProvided && keep(kindOf(f.Type), options) {
			k = kindOf(f.Type)
		}
		if p.variable {
			p.step(f.Length, k)
		} else if k != kindNone && off+int(f.Length) <= 0xffff {
			p.ops = append(p.ops, fieldOp{off: uint16(off), n: f.Length, kind: k})
		}
		if f.Length != varLen {
			off += int(f.Length)
		}
	}
	if off == 0 || off > 0xffff {
		// No record fits in a set; or, with only variable-length fields,
		// goflow2 reads past the last record and fails the set.
		return nil
	}
	p.size = off
	return p
}

// step appends a field to a variable-length plan, merging a fixed field
// that is not read into an unread fixed field before it.
func (p *plan) step(n uint16, k kind) {
	if last := len(p.steps) - 1; last >= 0 && k == kindNone && n != varLen {
		if s := &p.steps[last]; s.kind == kindNone && s.n != varLen && int(s.n)+int(n) < varLen {
			s.n += n
			return
		}
	}
	p.steps = append(p.steps, fieldOp{n: n, kind: k})
}

// walk reads the variable-length record at the start of b, calling visit
// (when not nil) with each field read, and returns the record's length,
// or -1 when a field or a length runs past b. A length of 255 means the
// real length follows in two bytes (RFC 7011 section 7).
func (p *plan) walk(b []byte, visit func(kind, []byte)) int {
	pos := 0
	for _, s := range p.steps {
		n := int(s.n)
		if s.n == varLen {
			if pos >= len(b) {
				return -1
			}
			n = int(b[pos])
			pos++
			if n == 255 {
				if len(b)-pos < 2 {
					return -1
				}
				n = int(b[pos])<<8 | int(b[pos+1])
				pos += 2
			}
		}
		if n > len(b)-pos {
			return -1
		}
		if s.kind != kindNone && visit != nil {
			visit(s.kind, b[pos:pos+n])
		}
		pos += n
	}
	return pos
}

// fits says whether every record goflow2 would read from the body of a
// data set of a variable-length plan is whole: goflow2 reads records while the fixed part fits, and
// decodes a record cut short with empty or truncated values, or fails it.
// Such sets are left to goflow2.
func (p *plan) fits(body []byte) bool {
	for b := body; len(b) >= p.size; {
		n := p.walk(b, nil)
		if n < 0 {
			return false
		}
		b = b[n:]
	}
	return true
}

// keep says whether a plan reads fields of kind k: records read all but
// the init time, options data only sampling and init time.
func keep(k kind, options bool) bool {
	if options {
		return k == kindSampling || k == kindSysInit
	}
	return k != kindNone && k != kindSysInit
}
