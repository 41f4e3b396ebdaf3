package flowsource

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The coverage harness replays a steady-state stream built from every
// public capture (the logstash-codec-netflow .dat files and the pmacct
// pcaps) through the fast-path decoder and the goflow2-only one, requires
// identical output for every packet, and measures the share of flows the
// fast path decoded.
//
// A steady-state stream is what a collector sees once exporters are
// running: each exporter (one per logstash device, one per pcap source)
// first sends its captured packets once (the warm-up, not measured), then
// keeps sending data, re-sending its template packets every refreshEvery
// packets as softflowd, pmacct nfprobe and most routers do. Captures whose
// templates ride with data in one packet give both: the whole packet at
// each refresh, and the same packet without its template sets (header
// fixed up) in between, as the exporter sends when no refresh is due.

const (
	refreshEvery  = 16 // packets between template refreshes
	steadyPackets = 64 // packets per exporter after the warm-up
)

// exporterCapture is the packets of one exporter in capture order.
type exporterCapture struct {
	name string
	from netip.AddrPort
	pkts [][]byte
}

// captures returns every exporter of the logstash and pmacct captures,
// each from an address of its own.
func captures(t testing.TB) []exporterCapture {
	t.Helper()
	var out []exporterCapture
	byName := map[string]int{}
	add := func(name string, b []byte) {
		i, ok := byName[name]
		if !ok {
			i = len(out)
			byName[name] = i
			out = append(out, exporterCapture{name: name, from: netip.AddrPortFrom(netip.MustParseAddr("198.51.100.1"), uint16(2000+i))})
		}
		out[i].pkts = append(out[i].pkts, b)
	}
	dats := datFiles(t, externalDir(t, "logstash-codec-netflow"))
	for _, p := range dats[:len(dats)/2] { // datFiles lists every file twice
		add(device(p.name), p.data)
	}
	for _, p := range pcapPackets(t) {
		add(fmt.Sprintf("pmacct %s %s", p.name, p.from), p.data)
	}
	return out
}

// pcapName tells the pmacct pcaps apart: their base names repeat.
func pcapName(path string) string {
	return filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
}

// steadyStream returns the warm-up packets and the steady-state ones,
// exporters interleaved packet by packet.
func steadyStream(caps []exporterCapture) (warm, steady []packet) {
	per := make([][]packet, len(caps))
	for i, c := range caps {
		var tpl, data [][]byte
		for _, b := range c.pkts {
			warm = append(warm, packet{c.name, c.from, b})
			stripped, hasTpl := withoutTemplates(b)
			if hasTpl {
				tpl = append(tpl, b)
			}
			if stripped != nil {
				data = append(data, stripped)
			}
		}
		for n, j := 0, 0; n < steadyPackets; n++ {
			switch {
			case n%refreshEvery == 0 && len(tpl) > 0:
				for _, b := range tpl {
					per[i] = append(per[i], packet{c.name, c.from, b})
				}
			case len(data) > 0:
				per[i] = append(per[i], packet{c.name, c.from, data[j%len(data)]})
				j++
			}
		}
	}
	for n := 0; ; n++ {
		done := true
		for i := range per {
			if n < len(per[i]) {
				steady, done = append(steady, per[i][n]), false
			}
		}
		if done {
			return warm, steady
		}
	}
}

// withoutTemplates returns b without its template and options template
// sets (nil when no data set is left) and whether it had any. NetFlow v5
// is returned as is. IPFIX messages end at their header's length.
func withoutTemplates(b []byte) ([]byte, bool) {
	be := binary.BigEndian
	if len(b) < 2 || be.Uint16(b) == 5 {
		return b, false
	}
	v, start := be.Uint16(b), nf9Header
	if v == 10 {
		start = ipfixHeader
		if len(b) >= ipfixHeader {
			b = b[:min(len(b), int(be.Uint16(b[2:])))]
		}
	}
	if len(b) < start {
		return nil, false
	}
	out := slices.Clone(b[:start])
	hasTpl, hasData := false, false
	for pos := start; pos+4 <= len(b); {
		id, n := be.Uint16(b[pos:]), int(be.Uint16(b[pos+2:]))
		if n < 4 {
			out = append(out, b[pos:]...) // keep what follows as it is
			break
		}
		end := min(pos+n, len(b))
		if isTemplateSet(v, id) {
			hasTpl = true
		} else {
			hasData = true
			out = append(out, b[pos:end]...)
		}
		pos = end
	}
	if v == 10 {
		be.PutUint16(out[2:], uint16(len(out)))
	}
	if !hasData {
		return nil, hasTpl
	}
	return out, hasTpl
}

// coverage is the flows of one exporter decoded on either path.
type coverage struct{ fast, all int }

func (c coverage) share() float64 {
	if c.all == 0 {
		return 1
	}
	return float64(c.fast) / float64(c.all)
}

// replayCoverage replays the stream through a pair, checking every packet,
// and returns the steady-state coverage per exporter and in total.
func replayCoverage(t testing.TB) (map[string]coverage, coverage) {
	caps := captures(t)
	warm, steady := steadyStream(caps)
	t.Logf("%d exporters, %d warm-up packets, %d steady-state packets", len(caps), len(warm), len(steady))
	p := newPair()
	for _, pkt := range warm {
		p.check(t, pkt)
	}
	per := map[string]coverage{}
	var total coverage
	for _, pkt := range steady {
		before := p.fast.fast
		n := len(p.check(t, pkt))
		c := per[pkt.name]
		c.all += n
		total.all += n
		if p.fast.fast > before {
			c.fast += n
			total.fast += n
		}
		per[pkt.name] = c
	}
	return per, total
}

// TestFastPathCoverage: in the steady-state stream of all public captures
// at least 99% of the flows take the fast path, each packet decoding
// exactly as goflow2 decodes it.
func TestFastPathCoverage(t *testing.T) {
	t.Parallel()
	per, total := replayCoverage(t)
	names := make([]string, 0, len(per))
	for n := range per {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		if c := per[n]; c.all > 0 {
			fmt.Fprintf(&b, "%-70s %6d/%6d %6.1f%%\n", n, c.fast, c.all, 100*c.share())
		}
	}
	t.Logf("per exporter (fast/all flows):\n%s", b.String())
	t.Logf("total: %d of %d flows on the fast path (%.2f%%)", total.fast, total.all, 100*total.share())
	if total.all == 0 {
		t.Fatal("no flows decoded")
	}
	if total.share() < 0.99 {
		t.Errorf("fast path took %.2f%% of the flows, want >= 99%%", 100*total.share())
	}
}
