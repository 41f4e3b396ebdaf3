package flowsource

import (
	"encoding/binary"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/flow"
)

// step is one packet of a synthetic exporter: whether the fast path must
// take it, how many records it gives, and a check of them.
type step struct {
	name  string
	pkt   []byte
	fast  bool
	n     int
	check func(t *testing.T, recs []flow.Record)
}

// replaySteps feeds the steps to a pair with cfg: every packet must decode
// as goflow2 decodes it (records, errors, counters), on the path said.
func replaySteps(t *testing.T, cfg Config, steps []step) pair {
	t.Helper()
	p := pair{NewDecoder(cfg), NewGoflow2Decoder(cfg)}
	for _, s := range steps {
		before := p.fast.fast
		recs := p.check(t, packet{s.name, exp, s.pkt})
		if fast := p.fast.fast > before; fast != s.fast || len(recs) != s.n {
			t.Errorf("%s: fast path %v, %d records; want %v, %d", s.name, fast, len(recs), s.fast, s.n)
		}
		if s.check != nil && len(recs) == s.n {
			s.check(t, recs)
		}
	}
	return p
}

var (
	optTpl9  = set(1, []uint16{400, 4, 4, 1, 4, ieSampInterval, 4}) // scope system(1) 4 bytes, option samplingInterval
	optData9 = set(400, nil, 0, 0, 0, 1, 0, 0, 0x03, 0xe8)          // rate 1000
)

func isV6(t *testing.T, recs []flow.Record) {
	for _, r := range recs {
		if !r.Src.Is6() || r.Bytes != 80 {
			t.Errorf("not the IPv6 record: %+v", r)
		}
	}
}

// TestTemplatesBesideData: packets carrying template sets beside their
// data sets are decoded on the fast path, templates learnt in packet
// order; what AddTemplate would refuse, and withdrawals, go to goflow2.
func TestTemplatesBesideData(t *testing.T) {
	t.Parallel()
	v4 := recV4(false)
	tests := []struct {
		name  string
		cfg   func(*Config)
		steps []step
	}{
		{"NetFlow v9 template then data", nil, []step{
			{"tpl+data", msg(9, 1, tplSet(0, 260, fixedV6...), set(260, nil, recV6()...)), true, 1, isV6},
			{"refresh", msg(9, 1, tplSet(0, 260, fixedV6...), set(260, nil, append(recV6(), recV6()...)...)), true, 2, isV6},
			{"data alone", msg(9, 1, set(260, nil, recV6()...)), true, 1, isV6},
		}},
		{"data set before its template: unknown, as goflow2 says", nil, []step{
			{"data, tpl, data", msg(10, 1, set(300, nil, v4...), tplSet(2, 300, fixedV4...), set(300, nil, v4...)), true, 1, nil},
		}},
		{"redefinition applies to the data sets after it", nil, []step{
			{"tpl", msg(10, 1, tplSet(2, 300, fixedV4...)), true, 0, nil},
			{"v4 data, v6 tpl, v6 data", msg(10, 1, set(300, nil, v4...), tplSet(2, 300, fixedV6...), set(300, nil, recV6()...)), true, 2,
				func(t *testing.T, recs []flow.Record) {
					if !recs[0].Src.Is4() || !recs[1].Src.Is6() {
						t.Errorf("records %+v", recs)
					}
				}},
			{"v6 data", msg(10, 1, set(300, nil, recV6()...)), true, 1, isV6},
		}},
		{"options template and data beside data", nil, []step{
			{"all in one", msg(9, 7, tplSet(0, 260, fixedV6...), set(260, nil, recV6()...), optTpl9, optData9, set(260, nil, recV6()...)), true, 2,
				func(t *testing.T, recs []flow.Record) {
					if recs[0].SamplingRate != 0 || recs[1].SamplingRate != 1000 {
						t.Errorf("sampling %d, %d", recs[0].SamplingRate, recs[1].SamplingRate)
					}
				}},
		}},
		{"variable-length template beside data", nil, []step{
			{"tpl+data", msg(10, 1, tplSet(2, 300, varV4...), set(300, nil, recV4(true)...)), true, 1, nil},
		}},
		{"template cap within the packet", func(c *Config) { c.MaxTemplates = 1 }, []step{
			{"two templates and data", msg(10, 1, tplSet(2, 300, fixedV4...), tplSet(2, 301, fixedV4...), set(300, nil, v4...)), false, 0, nil},
			{"the first was learnt", msg(10, 1, set(300, nil, v4...)), true, 1, nil},
		}},
		{"template memory cap within the packet", func(c *Config) { c.MaxTemplateMemory = templateCost(9) + templateCost(9)/2 }, []step{
			{"two templates", msg(10, 1, tplSet(2, 300, fixedV4...), tplSet(2, 301, fixedV4...), set(300, nil, v4...)), false, 0, nil},
		}},
		{"withdrawal beside data goes to goflow2", nil, []step{
			{"tpl", msg(10, 1, tplSet(2, 300, fixedV4...), tplSet(2, 301, fixedV4...)), true, 0, nil},
			{"withdraw 301, data 300", msg(10, 1, set(2, []uint16{301, 0}), set(300, nil, v4...)), false, 1, nil},
		}},
		{"malformed template set goes to goflow2", nil, []step{
			{"tpl cut short", msg(10, 1, set(2, []uint16{300, 9, ieSrcV4, 4})), false, 0, nil},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := DefaultConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			replaySteps(t, cfg, tt.steps)
		})
	}
}

// TestTemplateRefreshKeepsPlan: re-sending identical templates, as
// exporters do every few packets, is recognised byte for byte: nothing is
// parsed, compiled or allocated, and the packet decodes as goflow2 decodes
// it. Enterprise fields and options templates of both versions included.
func TestTemplateRefreshKeepsPlan(t *testing.T) {
	// srcV4, enterprise 9 element 100, dstV4
	entTpl := set(2, []uint16{300, 3, ieSrcV4, 4, 0x8000 | 100, 4, 0, 9, ieDstV4, 4})
	entRec := []byte{10, 0, 0, 1, 1, 2, 3, 4, 10, 0, 0, 2}
	// scope: enterprise 9 element 5; options: interfaceName (variable), samplingInterval
	entOpt := set(3, []uint16{400, 3, 1, 0x8000 | 5, 4, 0, 9, 82, varLen, ieSampInterval, 4})
	entOptData := set(400, nil, 0, 0, 0, 1, 0, 0, 0, 0, 100)
	tests := []struct {
		name string
		pkt  []byte
		n    int
	}{
		{"NetFlow v9 template and options template", msg(9, 1, tplSet(0, 260, fixedV6...), optTpl9, optData9, set(260, nil, recV6()...)), 1},
		{"IPFIX enterprise fields, options", msg(10, 1, entTpl, entOpt, entOptData, set(300, nil, append(entRec, entRec...)...)), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := slices.Repeat([]step{{"refresh", tt.pkt, true, tt.n, nil}}, 3)
			p := replaySteps(t, DefaultConfig(), steps)
			e := p.fast.exporters[exp]
			plans := maps.Clone(e.tpl.plans)
			used := p.fast.mem.used
			out := make([]flow.Record, 0, tt.n)
			if a := testing.AllocsPerRun(20, func() { p.fast.Decode(exp, tt.pkt, out) }); a != 0 {
				t.Errorf("%.0f allocations per refresh", a)
			}
			if !maps.Equal(plans, e.tpl.plans) || p.fast.mem.used != used || len(plans) != 2 {
				t.Errorf("plans %v -> %v, memory %d -> %d", plans, e.tpl.plans, used, p.fast.mem.used)
			}
		})
	}
}

// varField is a variable-length value: one length byte, or 255 and two.
func varField(long bool, n int) []byte {
	if long {
		return append([]byte{255, byte(n >> 8), byte(n)}, make([]byte, n)...)
	}
	return append([]byte{byte(n)}, make([]byte, n)...)
}

// TestVariableLength decodes templates with variable-length fields on the
// fast path, walking the fields it does not read, and leaves sets whose
// lengths run past the set to goflow2, counting them.
func TestVariableLength(t *testing.T) {
	t.Parallel()
	be := binary.BigEndian
	// srcV4 (variable) name(82, variable) dstPort proto octets(4)
	tpl := msg(10, 1, tplSet(2, 300, ieSrcV4, varLen, 82, varLen, ieDstPort, 2, ieProto, 1, ieOctets, 4))
	rec := func(name []byte, octets uint32) []byte {
		b := append([]byte{4, 10, 0, 0, 9}, name...)
		b = append(b, 0, 53, 17)
		return be.AppendUint32(b, octets)
	}
	twoRecs := append(rec(varField(false, 3), 100), rec(varField(true, 300), 200)...)
	// options: scope interfaceName (variable), option samplingInterval
	optTpl := set(3, []uint16{400, 2, 1, 82, varLen, ieSampInterval, 4})
	opt := append(varField(true, 2), 0, 0, 0x01, 0xf4) // rate 500
	steps := []step{
		{"tpl", tpl, true, 0, nil},
		{"short and long lengths, padding", msg(10, 1, set(300, nil, append(twoRecs, 0, 0, 0)...)), true, 2,
			func(t *testing.T, recs []flow.Record) {
				src := netip.AddrFrom4([4]byte{10, 0, 0, 9})
				if recs[0].Src != src || recs[1].Src != src || recs[0].Bytes != 100 || recs[1].Bytes != 200 || recs[1].DstPort != 53 || recs[1].Proto != 17 {
					t.Errorf("records %+v", recs)
				}
			}},
		{"options with a variable-length scope", msg(10, 1, optTpl, set(400, nil, opt...), set(300, nil, twoRecs...)), true, 2,
			func(t *testing.T, recs []flow.Record) {
				if recs[0].SamplingRate != 500 {
					t.Errorf("sampling %d", recs[0].SamplingRate)
				}
			}},
		{"length past the set", msg(10, 1, set(300, nil, rec([]byte{200, 1, 2}, 1)...)), false, 1, nil},
		// goflow2 fails the whole set: its records are lost.
		{"long length cut", msg(10, 1, set(300, nil, append(rec(varField(false, 1), 1), 4, 10, 0, 0, 9, 255, 1)...)), false, 0, nil},
		{"length byte missing", msg(10, 1, set(300, nil, append(rec(varField(false, 0), 1), 6, 1, 2, 3, 4, 5, 6)...)), false, 0, nil},
		{"whole again", msg(10, 1, set(300, nil, twoRecs...)), true, 2, nil},
	}
	p := replaySteps(t, DefaultConfig(), steps)
	if n := p.fast.Counters().Overruns; n != 3 {
		t.Errorf("%d sets with lengths past the set counted, want 3", n)
	}
}

// TestOnlyVariableFields: goflow2 fails every data set of a template with
// no fixed-length field (it reads on past the last record), so such
// templates get no plan.
func TestOnlyVariableFields(t *testing.T) {
	t.Parallel()
	replaySteps(t, DefaultConfig(), []step{
		{"tpl", msg(10, 1, tplSet(2, 300, 82, varLen)), true, 0, nil},
		{"data", msg(10, 1, set(300, nil, varField(false, 3)...)), false, 0, nil},
	})
	if p := compile(parseOne(t, msg(10, 1, tplSet(2, 300, 82, varLen)))); p != nil {
		t.Errorf("plan %+v", p)
	}
}

func parseOne(t *testing.T, pkt []byte) any {
	t.Helper()
	recs, err := parseTemplateSet(10, 2, pkt[ipfixHeader+4:])
	if err != nil || len(recs) != 1 {
		t.Fatalf("%d templates, %v", len(recs), err)
	}
	return recs[0]
}

// TestPlanMergesSkippedFields: neighbouring fixed fields Vedette does not
// read are one step of a variable-length plan.
func TestPlanMergesSkippedFields(t *testing.T) {
	t.Parallel()
	p := compile(parseOne(t, msg(10, 1, tplSet(2, 300, 82, varLen, 10, 4, 14, 4, 5, 1, ieSrcV4, 4, 83, varLen))))
	var got []string
	for _, s := range p.steps {
		got = append(got, strings.TrimSpace(strings.Repeat("var ", boolRank(s.n == varLen))+map[bool]string{true: "read", false: "skip"}[s.kind != kindNone]))
	}
	if strings.Join(got, ",") != "var skip,skip,read,var skip" || p.size != 13 || p.steps[1].n != 9 {
		t.Errorf("steps %v (%+v), size %d", got, p.steps, p.size)
	}
}
