package flowsource

import (
	"context"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/flow"
)

// TestKernelDrops overflows a real socket's receive buffer while the
// collector is not reading: every datagram sent is then either read and
// counted, or counted by the kernel as dropped.
func TestKernelDrops(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("per-socket drops are read from Linux's /proc/net/udp")
	}
	cfg := DefaultConfig()
	cfg.Listen = []string{"127.0.0.1:0"}
	cfg.ReadBuffer = 4096 // the kernel's floor: a few datagrams fit
	col, err := New(cfg, Deps{Consumer: func([]flow.Record) {}})
	if err != nil {
		t.Fatal(err)
	}
	before, err := col.KernelDrops()
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(col.LocalAddrs()[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const sent = 200
	junk := make([]byte, 1200) // version 0: counted as a bad version once read
	for range sent {
		if _, err := conn.Write(junk); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- col.Run(ctx) }()
	var drops uint64
	for deadline := time.Now().Add(5 * time.Second); ; {
		if drops, err = col.KernelDrops(); err != nil {
			t.Fatal(err)
		}
		drops -= before
		if read := col.Counters().Packets; read+drops == sent || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c := col.Counters()
	if drops == 0 || c.Packets+drops != sent || c.BadVersion != c.Packets {
		t.Fatalf("sent %d: read %d (bad version %d), kernel drops %d", sent, c.Packets, c.BadVersion, drops)
	}
	t.Logf("sent %d, read %d, kernel drops %d", sent, c.Packets, drops)
}

const udpTable = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  123: 0100007F:1283 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 424242 2 0000000000000000 17
  124: 0100007F:0807 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 555 2 0000000000000000 9
  125: 0100007F:0808 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 777 2 0000000000000000 x
`

func TestUDPDropsTable(t *testing.T) {
	table := udpTable
	found, drops, err := udpDrops(strings.NewReader(table), map[uint64]bool{424242: true, 555: true})
	if err != nil || found != 2 || drops != 26 {
		t.Fatalf("found %d drops %d err %v, want 2, 26", found, drops, err)
	}
	if _, _, err := udpDrops(strings.NewReader(table), map[uint64]bool{777: true}); err == nil {
		t.Fatal("a malformed drops column of our socket is an error")
	}
}

// FuzzUDPDrops: any table text gives a result or an error, never a panic,
// and never more matching rows than lines.
func FuzzUDPDrops(f *testing.F) {
	f.Add(udpTable)
	f.Add("header\n 1: a b c d e f g h 424242 j k 18446744073709551615\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, table string) {
		found, _, _ := udpDrops(strings.NewReader(table), map[uint64]bool{424242: true, 555: true})
		if found > strings.Count(table, "\n")+1 {
			t.Fatalf("%d rows found in %d lines", found, strings.Count(table, "\n")+1)
		}
	})
}
