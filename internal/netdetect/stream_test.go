package netdetect

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/format/formattest"
	"github.com/vedette/vedette/internal/inventory"
	"github.com/vedette/vedette/internal/ti"
)

// The stream tests replay six hours of a generated network through the
// Engine: 200 inventory hosts in two subscriptions (the same private
// addresses in both), IPv6 hosts, a zoned link-local host, monitored
// prefixes, three exporters and flow log files, sampled, denied and
// unanswered flows, Azure begin/continue/end tuples, late flows, brute
// force with one, 30 and 150 peers (the Heavy table full and evicting),
// logins after it and threat-intel peers. testdata/stream-alerts.json
// holds the alerts and counters, and testdata/stream-v4.snapshot the
// state after the first three hours, both written by the Engine before
// its host tables (snapshot version 4): the alerts must stay exactly the
// same, and an old snapshot must restore.
const streamSnapshot = "stream-v4.snapshot"

var (
	streamStart = time.Date(2024, 5, 1, 6, 0, 0, 0, time.UTC)
	streamC2    = []string{"175.45.176.99", "2001:db8:bad::1"}
	streamExps  = []netip.Addr{{}, netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"), netip.MustParseAddr("2001:db8:e::1")}
	streamZoned = netip.MustParseAddr("fe80::7").WithZone("eth0")
)

func streamInventory() *inventory.Inventory {
	inv := inventory.New(0)
	for i := range 100 {
		ip := netip.AddrFrom4([4]byte{10, 0, byte(i / 50), byte(1 + i%50)})
		inv.Add(ip, inventory.Host{Name: fmt.Sprintf("a-%03d", i), Subscription: "sub-a"}, time.Time{}, time.Time{})
	}
	for i := range 100 {
		ip := netip.AddrFrom4([4]byte{10, 0, byte(i / 50), byte(1 + i%50)}) // the same addresses, another subscription
		inv.Add(ip, inventory.Host{Name: fmt.Sprintf("b-%03d", i), Subscription: "sub-b"}, time.Time{}, time.Time{})
	}
	for i := range 10 {
		inv.Add(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i + 1)}), inventory.Host{Name: fmt.Sprintf("v6-%d", i)}, time.Time{}, time.Time{})
	}
	inv.Add(streamZoned, inventory.Host{Name: "link-local"}, time.Time{}, time.Time{})
	return inv
}

func streamEngine(t testing.TB) *Engine {
	t.Helper()
	set, err := ti.Parse("feed.txt", []byte(streamC2[0]+"\n"+streamC2[1]+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.MonitorPrefixes = []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}
	cfg.MinHistoryHours = 2
	e, err := New(cfg, Deps{Inventory: streamInventory(), TI: set})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// streamGen draws the generated network's flows.
type streamGen struct {
	r   *rand.Rand
	out []flow.Record
}

func (g *streamGen) host() netip.Addr {
	switch n := g.r.IntN(20); {
	case n < 14:
		i := g.r.IntN(100)
		return netip.AddrFrom4([4]byte{10, 0, byte(i / 50), byte(1 + i%50)})
	case n < 16:
		return netip.AddrFrom4([4]byte{192, 168, byte(g.r.IntN(4)), byte(g.r.IntN(256))})
	case n < 19:
		return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(1 + g.r.IntN(10))})
	}
	return streamZoned
}

func (g *streamGen) outside() netip.Addr {
	if g.r.IntN(500) == 0 {
		return netip.MustParseAddr(streamC2[g.r.IntN(2)])
	}
	return netip.AddrFrom4([4]byte{198, 51, byte(g.r.IntN(4)), byte(g.r.IntN(256))})
}

var streamResources = []string{"", "", "/subscriptions/SUB-A/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg",
	"/subscriptions/sub-b/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg"}

// flow adds one flow from src to dst:port at t.
func (g *streamGen) flow(t time.Time, src, dst netip.Addr, port uint16) {
	r := flow.Record{Start: t.Add(-2 * time.Second), End: t, Src: src, Dst: dst, SrcPort: uint16(1024 + g.r.IntN(60000)), DstPort: port,
		Proto: flow.ProtoTCP, TCPFlags: flow.TCPSyn | flow.TCPAck | flow.TCPFin, Packets: uint64(2 + g.r.IntN(20)), Bytes: uint64(200 + g.r.IntN(5000)),
		Exporter: streamExps[g.r.IntN(len(streamExps))], Resource: streamResources[g.r.IntN(len(streamResources))],
		Source: fmt.Sprintf("gen:%d", g.r.IntN(3)), Index: len(g.out) + 1}
	switch n := g.r.IntN(40); {
	case n < 3:
		r.Action = flow.ActionDeny
	case n < 6:
		r.TCPFlags = flow.TCPSyn
	case n < 8:
		r.SamplingRate = 10
	case n < 10:
		r.State = flow.State(1 + g.r.IntN(3))
	case n < 12:
		r.Bytes = 1 << 20
	case n < 13:
		r.Proto = 17
	}
	if g.r.IntN(10) == 0 {
		r.SrcPort, r.DstPort = r.DstPort, r.SrcPort // the reply direction
	}
	g.out = append(g.out, r)
}

// plain makes the last flow an allowed attempt to port, in sub-a's flow
// log.
func (g *streamGen) plain(port uint16) {
	r := &g.out[len(g.out)-1]
	r.Action, r.State, r.Proto, r.SamplingRate = flow.ActionAllow, flow.StateUnknown, flow.ProtoTCP, 0
	r.TCPFlags, r.Bytes, r.Resource = flow.TCPSyn|flow.TCPAck|flow.TCPFin, 900, streamResources[2]
	r.SrcPort, r.DstPort = 40000, port
}

func (g *streamGen) hour(start time.Time) {
	at := func() time.Time { return start.Add(time.Duration(g.r.Int64N(int64(time.Hour)))) }
	ports := []uint16{22, 3389, 443, 80, 53}
	for range 3000 {
		src, dst := g.host(), g.host()
		if g.r.IntN(2) == 0 {
			src = g.outside()
		} else if g.r.IntN(2) == 0 {
			dst = g.outside()
		}
		g.flow(at(), src, dst, ports[g.r.IntN(len(ports))])
	}
	victim := netip.AddrFrom4([4]byte{10, 0, 0, byte(1 + g.r.IntN(50))})
	attacker := g.outside()
	for range 40 + g.r.IntN(40) { // one-to-one
		g.flow(at(), attacker, victim, 22)
	}
	for range 1 + g.r.IntN(3) { // the attacker gets in
		g.flow(at(), attacker, victim, 22)
		g.out[len(g.out)-1].Auth = flow.AuthSuccess
	}
	for i := range 150 { // many-to-one, in one scope: the Heavy table evicts
		g.flow(at(), netip.AddrFrom4([4]byte{203, 0, byte(i / 200), byte(i)}), victim, 3389)
		g.plain(3389)
		if i%7 == 0 {
			g.flow(at(), netip.AddrFrom4([4]byte{203, 0, 0, 1}), victim, 3389)
			g.plain(3389)
		}
	}
	for range 20 { // unmonitored, and late: the hour before closed
		g.flow(at(), g.outside(), g.outside(), 443)
		g.flow(at().Add(-time.Hour), g.host(), g.outside(), 443)
	}
	scanner := g.host()
	for i := range 30 { // one-to-many over 30 destinations
		g.flow(at(), scanner, netip.AddrFrom4([4]byte{10, 0, 1, byte(1 + i)}), 22)
	}
	g.sortTail(start)
}

// sortTail orders the hour's flows by time, except one in 50 left where it
// was drawn: out of order, within the hour.
func (g *streamGen) sortTail(start time.Time) {
	i := 0
	for i < len(g.out) && g.out[i].End.Before(start) {
		i++
	}
	tail := g.out[i:]
	for j := 1; j < len(tail); j++ {
		if g.r.IntN(50) == 0 {
			continue
		}
		for k := j; k > 0 && tail[k].End.Before(tail[k-1].End); k-- {
			tail[k], tail[k-1] = tail[k-1], tail[k]
		}
	}
}

func streamRecords() []flow.Record {
	g := &streamGen{r: rand.New(rand.NewPCG(13, 4))}
	for h := range 6 {
		g.hour(streamStart.Add(time.Duration(h) * time.Hour))
	}
	for i := range g.out {
		g.out[i].Index = i + 1
	}
	return g.out
}

// feed observes recs, ticking the wall clock as serve does, and returns
// the alerts.
func feed(e *Engine, recs []flow.Record) []event.Alert {
	var out []event.Alert
	for i := range recs {
		out = append(out, e.Observe(&recs[i])...)
		if i%500 == 499 {
			out = append(out, e.Tick(recs[i].End.Add(10*time.Minute))...)
		}
	}
	return out
}

func streamJSON(t *testing.T, as []event.Alert, c Counters) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	if err := enc.Encode(struct {
		Alerts   []event.Alert `json:"alerts"`
		Counters Counters      `json:"counters"`
	}{as, c}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestStreamAlertsUnchanged(t *testing.T) {
	t.Parallel()
	recs := streamRecords()
	half := len(recs) / 2
	e := streamEngine(t)
	first := feed(e, recs[:half])
	snap, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	all := append(first, feed(e, recs[half:])...)
	all = append(all, e.Flush()...)
	formattest.Golden(t, "stream-alerts.json", streamJSON(t, all, e.Counters()))
	if len(all) < 20 {
		t.Fatalf("only %d alerts: the stream no longer exercises the rules", len(all))
	}
	path := filepath.Join("testdata", streamSnapshot)
	if updating() {
		if err := os.WriteFile(path, snap, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Restored from this version's snapshot and from the old Engine's.
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"now": snap, "v4": old} {
		r := streamEngine(t)
		if err := r.Restore(data); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := append(append([]event.Alert{}, first...), feed(r, recs[half:])...)
		got = append(got, r.Flush()...)
		if d := cmp.Diff(all, got); d != "" || r.Counters() != e.Counters() {
			t.Errorf("restored from the %s snapshot (-straight +restored):\n%s\n%+v\n%+v", name, d, e.Counters(), r.Counters())
		}
	}
}

// updating says whether the test runs with -update (formattest's flag).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}
