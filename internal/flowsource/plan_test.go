package flowsource

import (
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/netsampler/goflow2/v2/decoders/netflow"

	"github.com/vedette/vedette/internal/flow"
)

// Synthetic packets for what the logstash captures do not cover: template
// replacement and withdrawal, options data between data sets.

const exportSec = 1_700_000_000

// msg builds a NetFlow v9 (count = number of sets) or IPFIX packet.
func msg(version uint16, domain uint32, sets ...[]byte) []byte {
	var body []byte
	for _, s := range sets {
		body = append(body, s...)
	}
	be := binary.BigEndian
	if version == 9 {
		h := make([]byte, nf9Header)
		be.PutUint16(h, 9)
		be.PutUint16(h[2:], uint16(len(sets)))
		be.PutUint32(h[4:], 60_000) // up one minute
		be.PutUint32(h[8:], exportSec)
		be.PutUint32(h[16:], domain)
		return append(h, body...)
	}
	h := make([]byte, ipfixHeader)
	be.PutUint16(h, 10)
	be.PutUint16(h[2:], uint16(ipfixHeader+len(body)))
	be.PutUint32(h[4:], exportSec)
	be.PutUint32(h[12:], domain)
	return append(h, body...)
}

// set builds a set with header id and the given 16-bit words then bytes.
func set(id uint16, words []uint16, raw ...byte) []byte {
	b := make([]byte, 4, 4+2*len(words)+len(raw))
	for _, w := range words {
		b = binary.BigEndian.AppendUint16(b, w)
	}
	b = append(b, raw...)
	binary.BigEndian.PutUint16(b, id)
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	return b
}

// tplSet is a template set defining id with (type, length) pairs.
func tplSet(setID, id uint16, fields ...uint16) []byte {
	return set(setID, append([]uint16{id, uint16(len(fields) / 2)}, fields...))
}

// Record layouts of the synthetic templates.
var (
	// srcV4 dstV4 srcPort dstPort proto octets(8) packets(8) startMs endMs, 41 bytes
	fixedV4 = []uint16{ieSrcV4, 4, ieDstV4, 4, ieSrcPort, 2, ieDstPort, 2, ieProto, 1, ieOctets, 8, iePackets, 8, ieStartMs, 8, ieEndMs, 8}
	// the same with a variable-length interfaceName (82) after proto
	varV4 = []uint16{ieSrcV4, 4, ieDstV4, 4, ieSrcPort, 2, ieDstPort, 2, ieProto, 1, 82, 0xffff, ieOctets, 8, iePackets, 8, ieStartMs, 8, ieEndMs, 8}
	// srcV6 dstV6 proto tcpFlags(2) direction fwdStatus octets(4) startUptime endUptime, 47 bytes
	fixedV6 = []uint16{ieSrcV6, 16, ieDstV6, 16, ieProto, 1, ieTCPFlags, 2, ieDirection, 1, ieFwdStatus, 1, ieOctets, 4, ieStartUptime, 4, ieEndUptime, 4}
)

func recV4(varName bool) []byte {
	b := []byte{10, 0, 0, 1, 192, 0, 2, 7, 0xc3, 0x50, 0, 53, 17}
	if varName {
		b = append(b, 4, 'e', 't', 'h', '0')
	}
	b = binary.BigEndian.AppendUint64(b, 1500)
	b = binary.BigEndian.AppendUint64(b, 3)
	b = binary.BigEndian.AppendUint64(b, exportSec*1000-2000)
	return binary.BigEndian.AppendUint64(b, exportSec*1000-1000)
}

func recV6() []byte {
	src, dst := netip.MustParseAddr("2001:db8::1").As16(), netip.MustParseAddr("2001:db8::2").As16()
	b := append(src[:], dst[:]...)
	b = append(b, 6, 0, flow.TCPSyn, 1, 2<<6)
	b = binary.BigEndian.AppendUint32(b, 80)
	b = binary.BigEndian.AppendUint32(b, 50_000)
	return binary.BigEndian.AppendUint32(b, 59_000)
}

// TestPlanFollowsTemplate replaces, withdraws and reuses template 300:
// each packet decodes like goflow2, on the fast path but for the
// withdrawal.
func TestPlanFollowsTemplate(t *testing.T) {
	t.Parallel()
	ms := func(v int64) time.Time { return time.UnixMilli(v).UTC() }
	src := netip.AddrFrom4([4]byte{10, 0, 0, 1})
	v4Rec := flow.Record{
		Start: ms(exportSec*1000 - 2000), End: ms(exportSec*1000 - 1000), Src: src, Dst: netip.AddrFrom4([4]byte{192, 0, 2, 7}),
		SrcPort: 50000, DstPort: 53, Proto: 17, Packets: 3, Bytes: 1500, Domain: 1, Exporter: exp.Addr(), Source: "udp:192.0.2.10", Index: 2, // after check's one prior record
	}
	data4 := msg(10, 1, set(300, nil, append(recV4(false), recV4(false)...)...))
	steps := []struct {
		name string
		pkt  []byte
		fast bool
		want int // records
	}{
		{"fixed template", msg(10, 1, tplSet(2, 300, fixedV4...)), true, 0},
		{"fixed data", data4, true, 2},
		{"replaced by variable-length", msg(10, 1, tplSet(2, 300, varV4...)), true, 0},
		{"variable-length data", msg(10, 1, set(300, nil, recV4(true)...)), true, 1},
		{"replaced by fixed IPv6", msg(10, 1, tplSet(2, 300, fixedV6...)), true, 0},
		{"IPv6 data", msg(10, 1, set(300, nil, append(recV6(), 0, 0, 0)...)), true, 1}, // with padding
		{"withdrawn", msg(10, 1, set(2, []uint16{300, 0})), false, 0},                  // withdrawals go to goflow2
		{"data after withdrawal", data4, true, 0},                                      // unknown template, as goflow2 says
		{"other domain", msg(10, 2, tplSet(2, 300, fixedV4...)), true, 0},
		{"data in old domain", data4, true, 0},
	}
	p := newPair()
	for _, s := range steps {
		before := p.fast.fast
		got := p.check(t, packet{s.name, exp, s.pkt})
		if len(got) != s.want || (p.fast.fast > before) != s.fast {
			t.Errorf("%s: %d records, fast path %v; want %d, %v", s.name, len(got), p.fast.fast > before, s.want, s.fast)
		}
		if s.name == "fixed data" {
			if d := cmp.Diff(got[0], v4Rec, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
				t.Errorf("fixed data (-got +want):\n%s", d)
			}
		}
	}
	if c := p.fast.Counters(); c.Withdrawn != 1 || c.UnknownTemplate != 2 {
		t.Errorf("counters %+v", c)
	}
}

// TestFastOptions sends options data between two data sets of one NetFlow
// v9 packet: the sampling rate applies from there on, and the uptime-based
// times use the header's sysUptime.
func TestFastOptions(t *testing.T) {
	t.Parallel()
	optTpl := set(1, []uint16{400, 4, 4, 1, 4, ieSampInterval, 4}) // scope system(1) 4 bytes, option samplingInterval
	opts := set(400, nil, 0, 0, 0, 1, 0, 0, 0x03, 0xe8)            // rate 1000
	data := set(260, nil, recV6()...)
	p := newPair()
	p.check(t, packet{"templates", exp, msg(9, 7, tplSet(0, 260, fixedV6...), optTpl)})
	recs := p.check(t, packet{"data, options, data", exp, msg(9, 7, data, opts, data)})
	if p.fast.fast != 2 || len(recs) != 2 || recs[0].SamplingRate != 0 || recs[1].SamplingRate != 1000 {
		t.Fatalf("fast %d, records %+v", p.fast.fast, recs)
	}
	again := p.check(t, packet{"data again", exp, msg(9, 7, data)})
	if len(again) != 1 || again[0].SamplingRate != 1000 {
		t.Fatalf("rate not kept: %+v", again)
	}
	other := p.check(t, packet{"other port", netip.AddrPortFrom(exp.Addr(), 1), msg(9, 7, data)})
	if len(other) != 0 {
		t.Fatal("templates leaked to another port")
	}
	// boot = export - uptime; end uptime 59s -> one second before export.
	r := recs[0]
	if r.End != time.Unix(exportSec-1, 0).UTC() || r.Action != flow.ActionDeny || r.Direction != flow.DirectionOut || r.TCPFlags != flow.TCPSyn {
		t.Errorf("record %+v", r)
	}
}

// TestRemoveTemplate drops the plan with the template.
func TestRemoveTemplate(t *testing.T) {
	t.Parallel()
	ts := templates{m: map[uint64]any{}, plans: map[uint64]*plan{}, max: 4, maxFields: 8, mem: &memory{max: 1 << 20}}
	tpl := netflow.TemplateRecord{TemplateId: 256, Fields: []netflow.Field{{Type: ieSrcV4, Length: 4}}}
	if err := ts.AddTemplate(10, 0, 256, tpl); err != nil || ts.plan(10, 0, 256) == nil {
		t.Fatalf("add: %v, plan %v", err, ts.plan(10, 0, 256))
	}
	if _, err := ts.RemoveTemplate(10, 0, 256); err != nil || ts.plan(10, 0, 256) != nil || len(ts.m) != 0 {
		t.Fatalf("remove: %v, plan %v", err, ts.plan(10, 0, 256))
	}
	if ts.mem.used != 0 || ts.bytes != 0 {
		t.Fatalf("template memory %d (exporter %d) after removing the only template", ts.mem.used, ts.bytes)
	}
}

// FuzzFastVsGoflow2 decodes a template packet then a data packet twice
// with both paths: whatever the input, records, errors and counters must
// be identical, so the fast path neither panics (Decode would return the
// recovered panic as an error goflow2 did not) nor accepts what it should
// not.
func FuzzFastVsGoflow2(f *testing.F) {
	dir := "testdata/logstash"
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if n := e.Name(); strings.Contains(n, "_tpl") {
			data, err := os.ReadFile(filepath.Join(dir, strings.Replace(n, "_tpl", "_data", 1)))
			if err != nil {
				data, _ = os.ReadFile(filepath.Join(dir, strings.Replace(n, "_tpl", "_data258", 1)))
			}
			f.Add(read(f, dir, n), data)
		}
	}
	f.Add([]byte(nil), read(f, dir, "netflow5.dat"))
	f.Add(msg(10, 1, tplSet(2, 300, fixedV4...)), msg(10, 1, set(300, nil, recV4(false)...)))
	f.Add(msg(10, 1, tplSet(2, 300, fixedV6...)), msg(10, 1, set(300, nil, recV6()...), set(300, nil, recV6()...)))
	optTpl := set(1, []uint16{400, 4, 4, 1, 4, ieSampInterval, 4})
	f.Add(msg(9, 7, tplSet(0, 260, fixedV6...), optTpl), msg(9, 7, set(260, nil, recV6()...), set(400, nil, 0, 0, 0, 1, 0, 0, 3, 0xe8)))
	for _, c := range fuzzTemplatedSeeds() {
		f.Add(c[0], c[1])
	}
	// Exporters' packets carrying templates beside data, when present.
	ext, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "testdata-external", "logstash-codec-netflow", "*tpl*data*.dat"))
	for _, n := range ext {
		if b, err := os.ReadFile(n); err == nil {
			f.Add(b, b)
		}
	}
	f.Fuzz(func(t *testing.T, tpl, data []byte) {
		p := newPair()
		for i, pkt := range [][]byte{tpl, data, data} {
			p.check(t, packet{[]string{"tpl", "data", "data again"}[i], exp, pkt})
		}
	})
}

// fuzzTemplatedSeeds are template and data packets for what the captures
// hold little of: templates beside data, variable-length fields of both
// length forms, lengths past the set, options with variable-length scopes.
func fuzzTemplatedSeeds() [][2][]byte {
	varTpl := tplSet(2, 300, varV4...)
	long := append(recV4(false)[:13:13], 255, 0, 3, 'e', 't', 'h')
	long = append(long, recV4(false)[13:]...)
	optTpl := set(3, []uint16{400, 2, 1, 82, varLen, ieSampInterval, 4})
	return [][2][]byte{
		{msg(10, 1, varTpl), msg(10, 1, set(300, nil, append(recV4(true), long...)...))},
		{nil, msg(10, 1, varTpl, set(300, nil, recV4(true)...), optTpl, set(400, nil, 1, 'x', 0, 0, 0, 9))},
		{msg(10, 1, varTpl), msg(10, 1, set(300, nil, append(recV4(true)[:14:14], 200)...))},
		{nil, msg(9, 7, set(260, nil, recV6()...), tplSet(0, 260, fixedV6...), set(260, nil, recV6()...))},
		{msg(9, 7, tplSet(0, 260, fixedV4...)), msg(9, 7, set(260, nil, recV4(false)...), tplSet(0, 260, fixedV6...), set(260, nil, recV6()...))},
	}
}
