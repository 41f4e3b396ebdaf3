package metrics

import (
	"context"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowsource"
)

// ipfixMsg is an IPFIX message of observation domain 1 carrying sets.
func ipfixMsg(sets ...[]byte) []byte {
	be := binary.BigEndian
	n := 16
	for _, s := range sets {
		n += len(s)
	}
	m := be.AppendUint16(nil, 10)
	m = be.AppendUint16(m, uint16(n))
	m = be.AppendUint32(m, uint32(time.Now().Unix()))
	m = be.AppendUint32(be.AppendUint32(m, 7), 1)
	for _, s := range sets {
		m = append(m, s...)
	}
	return m
}

// ipfixSet is a set with its header.
func ipfixSet(id uint16, body []byte) []byte {
	be := binary.BigEndian
	return append(be.AppendUint16(be.AppendUint16(nil, id), uint16(4+len(body))), body...)
}

// TestOverrunScraped sends a real collector, over loopback UDP, a template
// with a variable-length field and a data set whose record claims more
// bytes than its set holds, then a whole one: the overrun is counted once
// in a /metrics scrape, the whole record decoded.
func TestOverrunScraped(t *testing.T) {
	cfg := flowsource.DefaultConfig()
	cfg.Listen = []string{"127.0.0.1:0"}
	got := make(chan int, 8)
	col, err := flowsource.New(cfg, flowsource.Deps{Consumer: func(rs []flow.Record) { got <- len(rs) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go col.Run(ctx)
	r := New()
	r.Watch(func() Snapshot { return Snapshot{Flows: &FlowStats{Decoder: col.Counters()}} })
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(col.LocalAddrs()[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	be := binary.BigEndian
	// Template 300: sourceIPv4Address (4), interfaceName (variable),
	// octetDeltaCount (4).
	tpl := []byte{1, 44, 0, 3}
	for _, f := range [][2]uint16{{8, 4}, {82, 0xffff}, {1, 4}} {
		tpl = be.AppendUint16(be.AppendUint16(tpl, f[0]), f[1])
	}
	cut := []byte{10, 0, 0, 9, 200, 'e', 't', 'h'} // a 200-byte name in an 8-byte set
	whole := []byte{10, 0, 0, 9, 3, 'e', 't', 'h', 0, 0, 1, 0}
	for _, m := range [][]byte{ipfixMsg(ipfixSet(2, tpl)), ipfixMsg(ipfixSet(300, cut)), ipfixMsg(ipfixSet(300, whole))} {
		if _, err := conn.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	var f map[string]float64
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		fam := scrape(t, r)
		f = map[string]float64{}
		for _, name := range []string{"vedette_flow_packets_total", "vedette_flow_sets_overrun_total", "vedette_flow_records_decoded_total"} {
			f[name], _ = fam.Value(name)
		}
		if f["vedette_flow_packets_total"] == 3 || time.Now().After(deadline) {
			break
		}
	}
	if f["vedette_flow_packets_total"] != 3 || f["vedette_flow_sets_overrun_total"] != 1 {
		t.Errorf("scraped %v, want 3 packets and 1 overrun", f)
	}
	if n := <-got; f["vedette_flow_records_decoded_total"] < 1 || n < 1 {
		t.Errorf("scraped %v, consumer got %d records: the whole record was not decoded", f, n)
	}
}
