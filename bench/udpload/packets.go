package main

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"time"
)

// exporter is one simulated router: its own source port, sequence
// numbers and template, IPFIX or NetFlow v9, flows drawn from a fixed
// population of sources and destinations.
type exporter struct {
	v9      bool
	seq     uint32
	started time.Time
	rng     *rand.Rand
	buf     []byte
}

var be = binary.BigEndian

// Population: 10k external sources, 70k destinations of which the first
// 2,000 are the monitored hosts (10.1.0.0/21, in the inventory).
const (
	sources      = 10_000
	destinations = 70_000
	monitored    = 2_000
	templateID   = 256
)

// ipfixFields and v9Fields: srcIPv4, dstIPv4, srcPort, dstPort, protocol,
// tcpFlags, packets, octets, flow start and end (IPFIX: epoch ms, 8 bytes;
// v9: sysUptime ms, 4 bytes). Fixed lengths only, like most exporters.
var (
	ipfixFields = [][2]uint16{{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {2, 8}, {1, 8}, {152, 8}, {153, 8}}
	v9Fields    = [][2]uint16{{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {2, 4}, {1, 4}, {22, 4}, {21, 4}}
)

var dports = []uint16{443, 443, 443, 80, 53, 22, 3389, 123, 8080, 25}

func newExporter(v9 bool, seed uint64) *exporter {
	return &exporter{v9: v9, started: time.Now().Add(-time.Hour), rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func sourceIP(i int) [4]byte { return [4]byte{198, 18 + byte(i>>16), byte(i >> 8), byte(i)} }

func destIP(i int) [4]byte {
	if i < monitored {
		return [4]byte{10, 1, byte(i >> 8), byte(i)}
	}
	return [4]byte{100, 64 + byte(i>>16), byte(i >> 8), byte(i)}
}

// monitoredAddr is the i-th monitored host, for the inventory.
func monitoredAddr(i int) netip.Addr { return netip.AddrFrom4(destIP(i)) }

// template returns a packet holding only the exporter's template, as
// exporters resend it on a timer.
func (e *exporter) template(now time.Time) []byte {
	fields, setID := ipfixFields, uint16(2)
	if e.v9 {
		fields, setID = v9Fields, 0
	}
	b := e.header(now, 1)
	b = be.AppendUint16(b, setID)
	b = be.AppendUint16(b, uint16(8+4*len(fields)))
	b = be.AppendUint16(b, templateID)
	b = be.AppendUint16(b, uint16(len(fields)))
	for _, f := range fields {
		b = be.AppendUint16(be.AppendUint16(b, f[0]), f[1])
	}
	return e.finish(b, 0)
}

// data returns a packet of n flow records ended in the last two seconds.
func (e *exporter) data(now time.Time, n int) []byte {
	b := e.header(now, n)
	b = be.AppendUint16(b, templateID)
	lenAt := len(b)
	b = be.AppendUint16(b, 0)
	endMS := now.UnixMilli()
	uptime := uint32(now.Sub(e.started).Milliseconds())
	for range n {
		src, dst := sourceIP(e.rng.IntN(sources)), destIP(e.rng.IntN(destinations))
		b = append(append(b, src[:]...), dst[:]...)
		b = be.AppendUint16(be.AppendUint16(b, uint16(1024+e.rng.IntN(60000))), dports[e.rng.IntN(len(dports))])
		b = append(b, 6, 0x1b)
		pkts, octets := uint64(1+e.rng.IntN(40)), uint64(60+e.rng.IntN(60000))
		if e.v9 {
			b = be.AppendUint32(be.AppendUint32(b, uint32(pkts)), uint32(octets))
			b = be.AppendUint32(be.AppendUint32(b, uptime-2000), uptime)
		} else {
			b = be.AppendUint64(be.AppendUint64(b, pkts), octets)
			b = be.AppendUint64(be.AppendUint64(b, uint64(endMS-2000)), uint64(endMS))
		}
	}
	be.PutUint16(b[lenAt:], uint16(len(b)-lenAt+2))
	return e.finish(b, n)
}

// header starts a message; count is NetFlow v9's record count.
func (e *exporter) header(now time.Time, count int) []byte {
	b := e.buf[:0]
	if e.v9 {
		b = be.AppendUint16(b, 9)
		b = be.AppendUint16(b, uint16(count))
		b = be.AppendUint32(b, uint32(now.Sub(e.started).Milliseconds()))
		b = be.AppendUint32(b, uint32(now.Unix()))
		b = be.AppendUint32(b, e.seq)
		return be.AppendUint32(b, 1) // source ID
	}
	b = be.AppendUint16(b, 10)
	b = be.AppendUint16(b, 0) // length, set by finish
	b = be.AppendUint32(b, uint32(now.Unix()))
	b = be.AppendUint32(b, e.seq)
	return be.AppendUint32(b, 1) // observation domain
}

// finish completes a message of records data records: IPFIX counts
// records in its sequence number, NetFlow v9 packets.
func (e *exporter) finish(b []byte, records int) []byte {
	if e.v9 {
		e.seq++
	} else {
		be.PutUint16(b[2:], uint16(len(b)))
		e.seq += uint32(records)
	}
	e.buf = b
	return b
}
