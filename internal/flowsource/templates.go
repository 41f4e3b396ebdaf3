package flowsource

import (
	"errors"
	"fmt"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
)

// Template errors, counted by reason.
var (
	ErrTemplateCap   = errors.New("template cap reached")
	ErrTemplateEmpty = errors.New("template describes zero-length records")
	ErrTemplateLarge = errors.New("template has too many fields")
	// ErrTemplateMemory: the templates of all exporters reached
	// Config.MaxTemplateMemory.
	ErrTemplateMemory = errors.New("template memory cap reached")
)

// What a template costs in memory, for Config.MaxTemplateMemory: goflow2
// keeps 12 bytes per field (TestTemplateMemoryMeasure measured 12.4 with
// map and plan overhead at 256 fields); slices grown by append may hold
// up to twice that, hence 16, plus the map entry, interface and plan.
const (
	templateFieldCost = 16
	templateBaseCost  = 160
)

// memory is the template memory shared by all exporters of a Decoder.
type memory struct {
	used, max int64
}

func templateCost(fields int) int64 { return templateBaseCost + int64(fields)*templateFieldCost }

// templates is one exporter's goflow2 template system, keyed like
// goflow2's by version, observation domain and template ID, with caps. It
// is only used under the Decoder's lock, so it takes none itself. plans
// holds the compiled form of every template in m that the fast path can
// decode; every change to m changes plans with it.
type templates struct {
	m         map[uint64]any
	plans     map[uint64]*plan
	max       int
	maxFields int
	withdrawn uint64
	mem       *memory
	bytes     int64 // this exporter's share of mem.used
}

var _ netflow.NetFlowTemplateSystem = (*templates)(nil)

func tkey(version uint16, domain uint32, id uint16) uint64 {
	return uint64(version)<<48 | uint64(domain)<<16 | uint64(id)
}

// AddTemplate stores a template. An IPFIX template record with no fields
// withdraws the template (RFC 7011 section 8.1); reusing an ID replaces it.
func (t *templates) AddTemplate(version uint16, domain uint32, id uint16, tpl any) error {
	return t.add(version, tkey(version, domain, id), tpl, nil, false)
}

// add is AddTemplate for key k, with tpl's plan when compiled says the
// caller compiled it already (the fast path does in accept).
func (t *templates) add(version uint16, k uint64, tpl any, pl *plan, compiled bool) error {
	fields, fixed, variable := shape(version, tpl)
	if fields == 0 {
		if _, ok := t.m[k]; ok {
			t.remove(k)
			t.withdrawn++
		}
		return nil
	}
	if fields > t.maxFields {
		return fmt.Errorf("%w: %d", ErrTemplateLarge, fields)
	}
	if fixed == 0 && !variable {
		// goflow2 would loop forever on data sets for such a template.
		return ErrTemplateEmpty
	}
	old, replaced := t.m[k]
	if !replaced && len(t.m) >= t.max {
		return ErrTemplateCap
	}
	cost := templateCost(fields)
	if replaced {
		cost -= t.costOf(k, old)
	}
	if t.mem.used+cost > t.mem.max {
		return ErrTemplateMemory
	}
	t.mem.used += cost
	t.bytes += cost
	t.m[k] = tpl
	if !compiled {
		pl = compile(tpl)
	}
	if pl != nil {
		t.plans[k] = pl
	} else {
		delete(t.plans, k)
	}
	return nil
}

func (t *templates) remove(k uint64) {
	if tpl, ok := t.m[k]; ok {
		c := t.costOf(k, tpl)
		t.mem.used -= c
		t.bytes -= c
	}
	delete(t.m, k)
	delete(t.plans, k)
}

// release gives all of this exporter's template memory back (eviction).
func (t *templates) release() {
	t.mem.used -= t.bytes
	t.bytes = 0
	clear(t.m)
	clear(t.plans)
}

func (t *templates) costOf(k uint64, tpl any) int64 {
	fields, _, _ := shape(uint16(k>>48), tpl)
	return templateCost(fields)
}

// plan returns the compiled template for a data set, nil when there is
// none or the fast path cannot decode it.
func (t *templates) plan(version uint16, domain uint32, id uint16) *plan {
	return t.plans[tkey(version, domain, id)]
}

// shape returns the field count, the fixed record size and whether any
// field is variable-length.
func shape(version uint16, tpl any) (fields, fixed int, variable bool) {
	var lists [][]netflow.Field
	switch v := tpl.(type) {
	case netflow.TemplateRecord:
		lists = [][]netflow.Field{v.Fields}
	case netflow.IPFIXOptionsTemplateRecord:
		lists = [][]netflow.Field{v.Scopes, v.Options}
	case netflow.NFv9OptionsTemplateRecord:
		lists = [][]netflow.Field{v.Scopes, v.Options}
	}
	for _, l := range lists {
		fields += len(l)
		fixed += netflow.GetTemplateSize(version, l)
		for _, f := range l {
			variable = variable || f.Length == 0xffff
		}
	}
	return fields, fixed, variable
}

func (t *templates) GetTemplate(version uint16, domain uint32, id uint16) (any, error) {
	if tpl, ok := t.m[tkey(version, domain, id)]; ok {
		return tpl, nil
	}
	return nil, netflow.ErrorTemplateNotFound
}

func (t *templates) RemoveTemplate(version uint16, domain uint32, id uint16) (any, error) {
	k := tkey(version, domain, id)
	tpl, ok := t.m[k]
	if !ok {
		return nil, netflow.ErrorTemplateNotFound
	}
	t.remove(k)
	return tpl, nil
}

func (t *templates) GetTemplates() netflow.FlowBaseTemplateSet {
	out := make(netflow.FlowBaseTemplateSet, len(t.m))
	for k, v := range t.m {
		out[k] = v
	}
	return out
}
