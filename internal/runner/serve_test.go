package runner

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/netdetect"
)

// ipfixFlow is one flow to encode: IPv4, TCP.
type ipfixFlow struct {
	src, dst     netip.Addr
	sport, dport uint16
	flags        uint8
	packets      uint64
	bytes        uint64
	start, end   time.Time
}

// ipfixFields is the template: (IANA element, length) pairs.
var ipfixFields = [][2]uint16{{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {2, 8}, {1, 8}, {152, 8}, {153, 8}}

// ipfixMessage encodes an RFC 7011 message: a template set (ID 256) and a
// data set of flows, as an exporter sends them.
func ipfixMessage(seq uint32, flows []ipfixFlow) []byte {
	be := binary.BigEndian
	var tpl []byte
	tpl = be.AppendUint16(tpl, 2)
	tpl = be.AppendUint16(tpl, uint16(8+4*len(ipfixFields)))
	tpl = be.AppendUint16(tpl, 256)
	tpl = be.AppendUint16(tpl, uint16(len(ipfixFields)))
	for _, f := range ipfixFields {
		tpl = be.AppendUint16(tpl, f[0])
		tpl = be.AppendUint16(tpl, f[1])
	}
	var data []byte
	for _, f := range flows {
		data = append(data, f.src.AsSlice()...)
		data = append(data, f.dst.AsSlice()...)
		data = be.AppendUint16(data, f.sport)
		data = be.AppendUint16(data, f.dport)
		data = append(data, 6, f.flags)
		data = be.AppendUint64(data, f.packets)
		data = be.AppendUint64(data, f.bytes)
		data = be.AppendUint64(data, uint64(f.start.UnixMilli()))
		data = be.AppendUint64(data, uint64(f.end.UnixMilli()))
	}
	set := be.AppendUint16(nil, 256)
	set = be.AppendUint16(set, uint16(4+len(data)))
	body := append(append(tpl, set...), data...)
	msg := be.AppendUint16(nil, 10)
	msg = be.AppendUint16(msg, uint16(16+len(body)))
	msg = be.AppendUint32(msg, uint32(time.Now().Unix()))
	msg = be.AppendUint32(msg, seq)
	msg = be.AppendUint32(msg, 1)
	return append(msg, body...)
}

// attempts are n short SSH logins from src to dst:22 from t on, a minute apart.
func attempts(src, dst string, t time.Time, n int) []ipfixFlow {
	var out []ipfixFlow
	for i := range n {
		s := t.Add(time.Duration(i) * time.Minute)
		out = append(out, ipfixFlow{
			src: netip.MustParseAddr(src), dst: netip.MustParseAddr(dst), sport: uint16(40000 + i), dport: 22,
			flags: 0x1b, packets: 14, bytes: 3900, start: s, end: s.Add(2 * time.Second),
		})
	}
	return out
}

// serveRun is one `vedette serve` run: it starts Serve, sends msgs over real
// loopback UDP, waits until the engine has seen want flows in total, stops
// and returns the alerts written.
// clock is the wall clock of the time trust model (time.Now when nil).
func serveRun(t *testing.T, cfg config.Config, clock func() time.Time, flush bool, want uint64, msgs ...[]byte) []event.Alert {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	ready := make(chan netip.AddrPort, 1)
	var mu sync.Mutex
	var seen uint64
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{
			Out: &out, FlushOnStop: flush, Clock: clock,
			Ready:    func(a []netip.AddrPort) { ready <- a[0] },
			Progress: func(c netdetect.Counters) { mu.Lock(); seen = c.Flows; mu.Unlock() },
		})
	}()
	addr := <-ready
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, m := range msgs {
		if _, err := conn.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	for {
		mu.Lock()
		n := seen
		mu.Unlock()
		if n >= want {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("engine saw %d flows, want %d", n, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return decodeAlerts(t, &out)
}

// decodeAlerts reads alerts written as JSON lines.
func decodeAlerts(t *testing.T, r io.Reader) []event.Alert {
	t.Helper()
	var alerts []event.Alert
	dec := json.NewDecoder(r)
	for dec.More() {
		var a event.Alert
		if err := dec.Decode(&a); err != nil {
			t.Fatal(err)
		}
		alerts = append(alerts, a)
	}
	return alerts
}

// serveConfig is a serve configuration on a loopback port with web-01
// (10.0.0.5) in the inventory.
func serveConfig(t *testing.T) config.Config {
	t.Helper()
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.csv")
	if err := os.WriteFile(inv, []byte("ip,host,subscription\n10.0.0.5,web-01,0b1f6471-1bf0-4dda-aec3-cb9272f09590\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = []string{"127.0.0.1:0"}, nil
	cfg.Network.Inventory = inv
	return cfg
}

// TestServeRestartKeepsState sends a brute force over real UDP in two
// runs of Serve. Neither half reaches the threshold (30 attempts from one
// source): only state restored across the restart makes the alert.
func TestServeRestartKeepsState(t *testing.T) {
	cfg := serveConfig(t)
	cfg.Network.SnapshotInterval = 50 * time.Millisecond
	hour := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	first := attempts("203.0.113.7", "10.0.0.5", hour.Add(5*time.Minute), 20)
	second := attempts("203.0.113.7", "10.0.0.5", hour.Add(30*time.Minute), 20)
	later := attempts("198.51.100.1", "10.0.0.5", hour.Add(70*time.Minute), 1) // closes the hour

	// The wall clock of the replayed period: a quarter past the next hour.
	clock := func() time.Time { return hour.Add(75 * time.Minute) }
	if a := serveRun(t, cfg, clock, false, 20, ipfixMessage(1, first)); len(a) != 0 {
		t.Fatalf("first half alerted: %+v", a)
	}
	got := serveRun(t, cfg, clock, false, 41, ipfixMessage(2, second), ipfixMessage(3, later))
	if len(got) != 1 || got[0].Detection != "ssh-incoming-one-to-one" || got[0].Principal != "web-01" {
		t.Fatalf("after restart: %+v", got)
	}
	if len(got[0].Evidence) == 0 || got[0].Evidence[0].IP != "203.0.113.7" || !got[0].Time.Equal(second[19].end) {
		t.Errorf("alert evidence %+v time %s", got[0].Evidence, got[0].Time)
	}
	// Replaying the same packets adds nothing: the hour is closed and the
	// alert is stored.
	if a := serveRun(t, cfg, clock, true, 82, ipfixMessage(4, append(first, second...)), ipfixMessage(5, later)); len(a) != 0 {
		t.Fatalf("replay alerted again: %+v", a)
	}
}
