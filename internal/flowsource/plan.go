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

// fieldOp reads one field of a fixed-length record.
type fieldOp struct {
	off, n uint16
	kind   kind
}

// plan is a template compiled for the fast path: where the fields Vedette
// reads sit in each fixed-length record. Templates with a variable-length
// field have no plan and their data sets go through goflow2.
type plan struct {
	size    int       // record length, > 0
	options bool      // options template: ops are sampling and init time
	ops     []fieldOp // in template order, so that later fields win as in setField
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

// compileFields lays out scopes then fields; only fields get ops. For data
// templates scopes is nil; for options templates only sampling and init
// time are kept, as exporter.options reads.
func compileFields(scopes, fields []netflow.Field, options bool) *plan {
	p := &plan{options: options}
	off := 0
	for _, f := range scopes {
		if f.Length == 0xffff {
			return nil
		}
		off += int(f.Length)
	}
	for _, f := range fields {
		if f.Length == 0xffff {
			return nil
		}
		if k := kindOf(f.Type); !f.PenProvided && keep(k, options) && off+int(f.Length) <= 0xffff {
			p.ops = append(p.ops, fieldOp{off: uint16(off), n: f.Length, kind: k})
		}
		off += int(f.Length)
	}
	if off == 0 || off > 0xffff {
		return nil // no record fits in a set
	}
	p.size = off
	return p
}

// keep says whether a plan reads fields of kind k: records read all but
// the init time, options data only sampling and init time.
func keep(k kind, options bool) bool {
	if options {
		return k == kindSampling || k == kindSysInit
	}
	return k != kindNone && k != kindSysInit
}
