package flowsource

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/flow"
)

// packet is one datagram of a differential replay.
type packet struct {
	name string
	from netip.AddrPort
	data []byte
}

// pair is a fast-path Decoder and a goflow2-only one fed the same packets.
type pair struct{ fast, ref *Decoder }

func newPair() pair { return pair{newDecoder(), NewGoflow2Decoder(DefaultConfig())} }

// check decodes pkt with both decoders, appending to a non-empty slice so
// that record indexes are checked too, and fails unless the records,
// errors and counters are identical. It returns the
// packet's records.
func (p pair) check(t testing.TB, pkt packet) []flow.Record {
	t.Helper()
	prefix := []flow.Record{{Source: "prior"}}
	got, gerr := p.fast.Decode(pkt.from, pkt.data, slices.Clone(prefix))
	want, werr := p.ref.Decode(pkt.from, pkt.data, slices.Clone(prefix))
	if !slices.Equal(got, want) {
		t.Fatalf("%s: records differ (-fast +goflow2):\n%s", pkt.name, cmp.Diff(got, want, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })))
	}
	if fmt.Sprint(gerr) != fmt.Sprint(werr) {
		t.Fatalf("%s: error %v, goflow2 %v", pkt.name, gerr, werr)
	}
	gc, wc := p.fast.Counters(), p.ref.Counters()
	gc.Overruns = 0 // the fast path's own count: goflow2 alone never walks a set ahead
	if gc != wc {
		t.Fatalf("%s: counters %+v, goflow2 %+v", pkt.name, gc, wc)
	}
	return got[len(prefix):]
}

// datFiles returns the .dat files of dir as packets, each exporter
// (address) shared by the files of one device so that data files meet
// their templates, templates first, then every file once more.
func datFiles(t testing.TB, dir string) []packet {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(dir, "*.dat"))
	slices.SortStableFunc(names, func(a, b string) int {
		return boolRank(!strings.Contains(a, "tpl")) - boolRank(!strings.Contains(b, "tpl"))
	})
	ports := map[string]uint16{}
	var out []packet
	for _, n := range names {
		dev := device(filepath.Base(n))
		if _, ok := ports[dev]; !ok {
			ports[dev] = uint16(1000 + len(ports))
		}
		out = append(out, packet{filepath.Base(n), netip.AddrPortFrom(exp.Addr(), ports[dev]), read(t, dir, filepath.Base(n))})
	}
	return append(out, out...)
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// device is a logstash test file's name up to its data/tpl part:
// "ipfix_test_mikrotik_data258.dat" -> "ipfix_test_mikrotik".
func device(name string) string {
	parts := strings.Split(strings.TrimSuffix(name, ".dat"), "_")
	for i, p := range parts {
		if strings.HasPrefix(p, "data") || strings.HasPrefix(p, "tpl") || strings.HasPrefix(p, "opttpl") {
			return strings.Join(parts[:i], "_")
		}
	}
	return name
}

// pcapPackets returns the datagrams of the pmacct captures, from the
// addresses in the capture.
func pcapPackets(t testing.TB) []packet {
	t.Helper()
	pcaps, _ := filepath.Glob(filepath.Join(externalDir(t, "pmacct"), "*", "traffic-*.pcap"))
	var out []packet
	for _, p := range pcaps {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		dgrams, err := readPcap(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, dg := range dgrams {
			out = append(out, packet{pcapName(p), dg.from, dg.payload})
		}
	}
	return out
}

// TestFastVsGoflow2 replays real exporter packets through both decode
// paths: the records, errors and counters must be identical, and the fast
// path must have taken a share of the packets.
func TestFastVsGoflow2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		packets func(testing.TB) []packet
	}{
		{"logstash", func(t testing.TB) []packet { return datFiles(t, "testdata/logstash") }},
		{"logstash-external", func(t testing.TB) []packet { return datFiles(t, externalDir(t, "logstash-codec-netflow")) }},
		{"pmacct", pcapPackets},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pkts := tt.packets(t)
			p := newPair()
			var c coverage
			for _, pkt := range pkts {
				before := p.fast.fast
				n := len(p.check(t, pkt))
				c.all += n
				if p.fast.fast > before {
					c.fast += n
				}
			}
			if p.fast.fast == 0 || p.ref.fast != 0 {
				t.Errorf("fast path took %d of %d packets, goflow2-only %d", p.fast.fast, len(pkts), p.ref.fast)
			}
			t.Logf("%d packets, %d on the fast path; %d of %d flows (%.1f%%); counters %+v",
				len(pkts), p.fast.fast, c.fast, c.all, 100*c.share(), p.fast.Counters())
		})
	}
}
