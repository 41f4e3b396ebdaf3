package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/eventtime"
	"github.com/vedette/vedette/internal/netdetect"
	"github.com/vedette/vedette/internal/normalize"
)

var isoTime = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?`)

// poisonedCopies writes, for each input's first record, one copy per bad
// time (every timestamp in the record replaced), as JSON lines.
func poisonedCopies(t *testing.T, inputs []string, times []string) string {
	t.Helper()
	var out bytes.Buffer
	for _, in := range inputs {
		f, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		sc.Scan()
		first := sc.Text()
		f.Close()
		for _, tm := range times {
			out.WriteString(isoTime.ReplaceAllString(first, tm) + "\n")
		}
	}
	path := filepath.Join(t.TempDir(), "poisoned.jsonl")
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPoisonedActivityReadFirst: records dated at the Windows FILETIME
// zero, Go's zero time, past UnixNano's range and after the wall clock,
// read in a run of their own before a labelled month, change nothing: the
// month's alerts are those of a clean data directory, and every poisoned
// record is a counted rejection with its position in rejected.jsonl.
func TestPoisonedActivityReadFirst(t *testing.T) {
	dir, cfg := month(t)
	inputs := []string{filepath.Join(dir, "signins.jsonl"), filepath.Join(dir, "activity.jsonl")}
	future := time.Now().Add(24 * time.Hour).UTC().Format("2006-01-02T15:04:05")
	bad := []string{"1601-01-01T00:00:00", "0001-01-01T00:00:00", "2263-01-01T00:00:00", "9999-12-31T23:59:59", future}
	poisoned := poisonedCopies(t, inputs, bad)

	cfg.DataDir = t.TempDir()
	want, _ := detectFiles(t, cfg, inputs...)
	if len(want) == 0 {
		t.Fatal("the clean month raised no alerts")
	}

	cfg.DataDir = t.TempDir()
	_, sum := detectFiles(t, cfg, poisoned)
	if sum.Read != 0 || sum.Rejected[eventtime.ReasonImplausible] != 4 || sum.Rejected[eventtime.ReasonFuture] != 6 {
		t.Fatalf("poisoned run: read %d, rejected %v", sum.Read, sum.Rejected)
	}
	got, _ := detectFiles(t, cfg, inputs...)
	if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
		t.Errorf("alerts after the poisoned run differ from a clean data directory (-clean +poisoned):\n%s", diff)
	}
	dl, err := os.ReadFile(filepath.Join(cfg.DataDir, "rejected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var rejs []normalize.Rejection
	for line := range strings.Lines(string(dl)) {
		var r normalize.Rejection
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		rejs = append(rejs, r)
	}
	if len(rejs) != 10 || rejs[0].Source != poisoned || rejs[0].Record != 1 || rejs[9].Record != 10 {
		t.Errorf("dead letters: %+v", rejs)
	}
}

// TestPoisonedDataDirRepaired: a data directory an older version let
// untrusted times into (watermarks in 2106, and 1601 wrapped past 2262 in
// Unix nanoseconds) is repaired on open: the month then raises the alerts
// of a clean data directory.
func TestPoisonedDataDirRepaired(t *testing.T) {
	dir, cfg := month(t)
	inputs := []string{filepath.Join(dir, "signins.jsonl"), filepath.Join(dir, "activity.jsonl")}
	cfg.DataDir = t.TempDir()
	want, _ := detectFiles(t, cfg, inputs...)

	cfg.DataDir = t.TempDir()
	env, err := Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	// What an older version learned from the first record of each stream
	// dated 1601-01-01 and then 2106-02-07.
	streams := streamSink{}
	for _, in := range inputs {
		if _, err := normalize.ReadFile(in, streams); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range streams {
		for _, at := range []time.Time{time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2106, 2, 7, 6, 28, 0, 0, time.UTC)} {
			p := *e
			p.Time, p.Key = at, "poison-"+at.Format(time.DateOnly)
			env.Baselines.Learn(&p)
		}
	}
	if err := env.SaveBaselines(); err != nil {
		t.Fatal(err)
	}
	env.Close()
	got, _ := detectFiles(t, cfg, inputs...)
	if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
		t.Errorf("alerts from a repaired data directory differ from a clean one (-clean +repaired):\n%s", diff)
	}
}

// streamSink keeps the first event of each (tenant, kind) stream read.
type streamSink map[[2]string]*event.Event

func (s streamSink) Event(e *event.Event) {
	if k := [2]string{e.Tenant, e.Kind.String()}; s[k] == nil {
		s[k] = e
	}
}

func (s streamSink) Reject(normalize.Rejection) {}

// netflowV5 is a NetFlow v5 packet of one TCP record src -> dst:port whose
// header claims the export time unixSecs.
func netflowV5(unixSecs uint32, src, dst string, port uint16) []byte {
	be := binary.BigEndian
	h := be.AppendUint16(nil, 5)
	h = be.AppendUint16(h, 1)
	h = be.AppendUint32(h, 60_000) // sysUptime
	h = be.AppendUint32(h, unixSecs)
	h = be.AppendUint32(h, 0)
	h = be.AppendUint32(h, 1) // sequence
	h = append(h, 0, 0, 0, 0) // engine type, id, sampling
	r := append(netip.MustParseAddr(src).AsSlice(), netip.MustParseAddr(dst).AsSlice()...)
	r = append(r, make([]byte, 8)...) // next hop, input, output
	r = be.AppendUint32(r, 12)        // packets
	r = be.AppendUint32(r, 3500)      // octets
	r = be.AppendUint32(r, 58_000)    // first
	r = be.AppendUint32(r, 59_000)    // last
	r = be.AppendUint16(r, 40001)
	r = be.AppendUint16(r, port)
	r = append(r, 0, 0x1b, 6, 0)
	r = append(r, make([]byte, 8)...)
	return append(h, r...)
}

// TestServeUnderTimeAttacks sends, over real UDP on loopback, a NetFlow v5
// packet whose header says 2106 and an IPFIX packet whose flows do (both
// about the monitored host), then 20,000 random-byte packets, all from
// 127.0.0.1; a good exporter on 127.0.0.2 then sends an SSH brute force
// against the same host. Its alert is raised when its own next flow
// closes the hour; the forged flows are rejected as future-time, counted
// and set aside.
func TestServeUnderTimeAttacks(t *testing.T) {
	cfg := serveConfig(t)
	cfg.Network.Collector.ReadBuffer = 4 << 20
	hour := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return hour.Add(75 * time.Minute) }

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ready := make(chan netip.AddrPort, 1)
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Out: out, Clock: clock, Ready: func(a []netip.AddrPort) { ready <- a[0] }})
	}()
	bound := <-ready
	to := net.UDPAddrFromAddrPort(bound)
	rogue, err := net.DialUDP("udp", nil, to)
	if err != nil {
		t.Fatal(err)
	}
	defer rogue.Close()
	forged := ipfixMessage(1, attempts("203.0.113.66", "10.0.0.5", time.Date(2106, 2, 7, 6, 0, 0, 0, time.UTC), 3))
	binary.BigEndian.PutUint32(forged[4:], 0xFFFFFFF0)
	rogue.Write(netflowV5(0xFFFFFFF0, "203.0.113.66", "10.0.0.5", 22))
	rogue.Write(forged)
	rng := rand.New(rand.NewPCG(8, 8))
	noise := make([]byte, 1400)
	for i := range 20_000 {
		n := 1 + rng.IntN(len(noise))
		for j := range n {
			noise[j] = byte(rng.Uint32())
		}
		rogue.Write(noise[:n])
		if i%200 == 199 {
			time.Sleep(time.Millisecond) // within the socket buffer
		}
	}
	// The flood is the attack; losing the good exporter's packets to a
	// full socket buffer on a loaded machine is not: let the collector
	// drain what the kernel queued first.
	drainUDP(t, bound.Port())
	good, err := net.DialUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)}, to)
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	good.Write(ipfixMessage(2, attempts("198.51.100.7", "10.0.0.5", hour.Add(5*time.Minute), 40)))
	time.Sleep(20 * time.Millisecond)
	good.Write(ipfixMessage(3, attempts("198.51.100.1", "10.0.0.5", hour.Add(70*time.Minute), 1)))

	for !strings.Contains(out.String(), "ssh-incoming-one-to-one") && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	alerts := decodeAlerts(t, strings.NewReader(out.String()))
	if len(alerts) != 1 || alerts[0].Detection != "ssh-incoming-one-to-one" || alerts[0].Principal != "web-01" ||
		alerts[0].Evidence[0].IP != "198.51.100.7" {
		t.Fatalf("alerts under attack: %+v", alerts)
	}
	dl, err := os.ReadFile(filepath.Join(cfg.DataDir, "rejected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(dl), `"Reason":"future-time"`); n < 4 || strings.Contains(string(dl), "udp:127.0.0.2") {
		t.Fatalf("%d future-time rejections; dead letters:\n%s", n, dl)
	}
}

// TestServeQuietNetworkClosesItsLastHour: an exporter sends a brute force
// and then nothing more; once the wall clock has passed the hour's end by
// hour_idle, serve closes the hour and raises the alert without any later
// flow.
func TestServeQuietNetworkClosesItsLastHour(t *testing.T) {
	cfg := serveConfig(t)
	cfg.Network.SnapshotInterval = 50 * time.Millisecond // ticks the wall clock as often
	hour := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := hour.Add(50 * time.Minute)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	ready := make(chan netip.AddrPort, 1)
	out := &syncBuffer{}
	flows := make(chan uint64, 1)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{Out: out, Clock: clock, Ready: func(a []netip.AddrPort) { ready <- a[0] },
			Progress: func(c netdetect.Counters) {
				select {
				case flows <- c.Flows:
				default:
				}
			}})
	}()
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(<-ready))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write(ipfixMessage(1, attempts("198.51.100.7", "10.0.0.5", hour.Add(5*time.Minute), 40)))
	<-flows
	time.Sleep(200 * time.Millisecond) // ticks at 10:50: nothing closes
	if s := out.String(); s != "" {
		t.Fatalf("alert before the hour ended: %s", s)
	}
	mu.Lock()
	now = hour.Add(time.Hour + cfg.Network.Detections.HourIdle)
	mu.Unlock()
	for !strings.Contains(out.String(), "ssh-incoming-one-to-one") && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if alerts := decodeAlerts(t, strings.NewReader(out.String())); len(alerts) != 1 || alerts[0].Principal != "web-01" {
		t.Fatalf("alerts: %+v", alerts)
	}
}

// drainUDP waits until the receive queue of the loopback UDP socket bound
// to port is empty (Linux's /proc/net/udp; elsewhere it waits a second).
func drainUDP(t *testing.T, port uint16) {
	t.Helper()
	local := fmt.Sprintf("0100007F:%04X", port)
	for deadline, empty := time.Now().Add(15*time.Second), 0; empty < 2 && time.Now().Before(deadline); {
		data, err := os.ReadFile("/proc/net/udp")
		if err != nil {
			time.Sleep(time.Second)
			return
		}
		queued := -1
		for line := range strings.Lines(string(data)) {
			f := strings.Fields(line)
			if len(f) > 4 && f[1] == local {
				_, rx, _ := strings.Cut(f[4], ":")
				n, _ := strconv.ParseUint(rx, 16, 64)
				queued = int(n)
			}
		}
		if queued == 0 {
			empty++
		} else {
			empty = 0
		}
		time.Sleep(20 * time.Millisecond)
	}
}
