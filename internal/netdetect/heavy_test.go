package netdetect

import (
	"bytes"
	"encoding/gob"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
)

// TestBotnetIsNotOneToOne: 15 sources, 8 attempts each, interleaved round
// robin (the worst order for a small space-saving table, which showed
// ~30 for the top source). Many-to-one must fire and one-to-one must not.
func TestBotnetIsNotOneToOne(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		port uint16
		want []string
	}{
		{"ssh", 22, []string{"ssh-incoming-many-to-one@web-01"}},
		{"rdp", 3389, []string{"rdp-incoming-many-to-one@web-01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			as := run(newEngine(t, nil), t0, many("203.0.113.%d", 15, "10.0.0.4", tt.port, 8))
			if d := cmp.Diff(ids(as), tt.want); d != "" {
				t.Fatalf("alerts (-got +want)\n%s", d)
			}
			for _, ev := range as[0].Evidence {
				if ev.Result != "attempts=8" {
					t.Errorf("evidence %s: %s, want exact attempts=8", ev.IP, ev.Result)
				}
			}
		})
	}
}

// TestOneToOneAmongMany: one source with 40 attempts among 15 with 3 each
// raises one-to-one naming it with its exact count (and many-to-one).
func TestOneToOneAmongMany(t *testing.T) {
	t.Parallel()
	for _, port := range []uint16{22, 3389} {
		conns := many("203.0.113.%d", 15, "10.0.0.4", port, 3)
		conns = slices.Insert(conns, 7, conn{src: "198.51.100.9", dst: "10.0.0.4", port: port, n: 40})
		as := run(newEngine(t, nil), t0, conns)
		svc := map[uint16]string{22: "ssh", 3389: "rdp"}[port]
		want := []string{svc + "-incoming-many-to-one@web-01", svc + "-incoming-one-to-one@web-01"}
		if d := cmp.Diff(ids(as), want); d != "" {
			t.Fatalf("port %d: alerts (-got +want)\n%s", port, d)
		}
		i := slices.IndexFunc(as, func(a event.Alert) bool { return a.Detection == svc+"-incoming-one-to-one" })
		ev := as[i].Evidence[0]
		if ev.IP != "198.51.100.9" || ev.Result != "attempts=40" {
			t.Errorf("port %d: top evidence %s %s", port, ev.IP, ev.Result)
		}
	}
}

// TestSessionsAreNotAttempts: Azure flow logs report a session's begin (no
// bytes yet, an attempt) and its end (large: a session). 40 SFTP sessions
// from one client must not leave 40 attempts on that peer.
func TestSessionsAreNotAttempts(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	src, dst := netip.MustParseAddr("198.51.100.9"), webIP
	var out []event.Alert
	for i := range 40 {
		at := t0.Add(time.Duration(i) * time.Minute)
		r := flow.Record{Start: at, End: at, Src: src, Dst: dst, SrcPort: uint16(40000 + i), DstPort: 22,
			Proto: flow.ProtoTCP, Action: flow.ActionAllow, State: flow.StateBegin}
		out = append(out, e.Observe(&r)...)
		r.End, r.State, r.Bytes, r.Packets = at.Add(30*time.Second), flow.StateEnd, 2_000_000, 1500
		out = append(out, e.Observe(&r)...)
	}
	out = append(out, e.Flush()...)
	if len(out) != 0 {
		t.Errorf("alerts on sessions: %v", ids(out))
	}
}

func addr(i int) [16]byte {
	return netip.AddrFrom4([4]byte{203, 0, byte(i >> 8), byte(i)}).As16()
}

func TestHeavyExactUpToCap(t *testing.T) {
	t.Parallel()
	var h Heavy
	for round := range 5 {
		for i := range maxPeers {
			h.add(addr(i), uint32(1+i%3))
			if round == 0 && cap(h) > maxPeers {
				t.Fatalf("cap %d", cap(h))
			}
		}
	}
	if len(h) != maxPeers {
		t.Fatalf("len %d", len(h))
	}
	for i, p := range h {
		if want := uint32(5 * (1 + i%3)); p.Count != want || !p.Exact() || p.Addr != addr(i) {
			t.Errorf("peer %d: %+v, want exact %d", i, p, want)
		}
	}
	h.sub(addr(2), 3)
	if p := h[2]; p.Count != 12 || p.Err != 0 {
		t.Errorf("after sub: %+v", p)
	}
}

// TestHeavyBounds checks the Space-Saving guarantees on a skewed stream of
// 2000 peers: Min <= true <= Count for kept peers, every error at most
// N/maxPeers, and every peer above N/maxPeers kept.
func TestHeavyBounds(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.2, 1, 1999)
	var h Heavy
	truth := map[[16]byte]uint32{}
	var n uint32
	for range 50_000 {
		a, w := addr(int(zipf.Uint64())), uint32(1+rng.IntN(4))
		h.add(a, w)
		truth[a] += w
		n += w
	}
	bound := n / maxPeers
	for _, p := range h {
		if tr := truth[p.Addr]; p.Min() > tr || tr > p.Count || p.Err > bound {
			t.Errorf("%v: true %d, bounds [%d, %d], err %d > %d", p.IP(), tr, p.Min(), p.Count, p.Err, bound)
		}
	}
	for a, tr := range truth {
		if tr > bound && !slices.ContainsFunc(h, func(p Peer) bool { return p.Addr == a }) {
			t.Errorf("heavy peer %v (%d > %d) dropped", netip.AddrFrom16(a).Unmap(), tr, bound)
		}
	}
	if len(h) != maxPeers || h.best().Min() == 0 {
		t.Errorf("len %d best %+v", len(h), h.best())
	}
}

// TestRestoreV1 restores a version 1 snapshot taken 25 attempts into a
// brute force (and a 6-peer botnet hour whose space-saving counts were
// inflated), then finishes the hour.
func TestRestoreV1(t *testing.T) {
	t.Parallel()
	src := netip.MustParseAddr("198.51.100.9")
	var ssh channelV1
	ssh.Attempts, ssh.Last = 25, t0.Add(20*time.Minute).UnixMilli()
	ssh.Peers.Add(hashAddr(src.As16()))
	ssh.Top[0] = peerV1{Addr: src.As16(), Count: 25}
	var rdp channelV1
	rdp.Attempts, rdp.Last = 60, ssh.Last
	for i := range 6 {
		rdp.Peers.Add(hashAddr(addr(i)))
	}
	for i := range topPeers {
		rdp.Top[i] = peerV1{Addr: addr(i), Count: uint32(27 - i)} // 10 each, inflated
	}
	old := stateV1{Version: 1, Watermark: ssh.Last, History: map[string]History{"web-01": {Hours: 3}},
		Open: []openHourV1{{Hour: t0.Unix(), IP: webIP, Agg: hostHourV1{Ch: [numChannels]channelV1{chSSHIn: ssh, chRDPIn: rdp}, Flows: 85}}}}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&old); err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, nil)
	if err := e.Restore(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if p := hostAt(e, t0.Unix(), webIP).channel(chRDPIn).Top[0]; p.Min() != 3 || p.Count != 27 {
		t.Errorf("converted inflated peer %+v, want bounds [3, 27]", p)
	}
	rest := conn{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 10}.records(t0)
	var as []event.Alert
	for i := range rest {
		as = append(as, e.Observe(&rest[i])...)
	}
	as = append(as, e.Flush()...)
	if got := ids(as); !cmp.Equal(got, []string{"ssh-incoming-one-to-one@web-01"}) {
		t.Fatalf("alerts %v", got)
	}
	if r := as[0].Evidence[0].Result; r != "attempts=35" {
		t.Errorf("evidence %s", r)
	}
	if h := e.history["web-01"]; h == nil || h.Hours != 4 {
		t.Errorf("history %+v", h)
	}
}

// BenchmarkHeavyAdd is the worst case of the per-flow peer update: a full
// table scanned to the end, then an eviction.
func BenchmarkHeavyAdd(b *testing.B) {
	peers := make([][16]byte, 4*maxPeers)
	for i := range peers {
		peers[i] = addr(i)
	}
	var h Heavy
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		h.add(peers[i%len(peers)], 1)
		i++
	}
}
