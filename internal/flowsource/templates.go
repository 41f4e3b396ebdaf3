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
)

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
}

var _ netflow.NetFlowTemplateSystem = (*templates)(nil)

func tkey(version uint16, domain uint32, id uint16) uint64 {
	return uint64(version)<<48 | uint64(domain)<<16 | uint64(id)
}

// AddTemplate stores a template. An IPFIX template record with no fields
// withdraws the template (RFC 7011 section 8.1); reusing an ID replaces it.
func (t *templates) AddTemplate(version uint16, domain uint32, id uint16, tpl any) error {
	k := tkey(version, domain, id)
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
	if _, ok := t.m[k]; !ok && len(t.m) >= t.max {
		return ErrTemplateCap
	}
	t.m[k] = tpl
	if p := compile(tpl); p != nil {
		t.plans[k] = p
	} else {
		delete(t.plans, k)
	}
	return nil
}

func (t *templates) remove(k uint64) {
	delete(t.m, k)
	delete(t.plans, k)
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
