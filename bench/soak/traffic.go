package main

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"time"
)

var (
	rogueAddr = netip.MustParseAddr("127.0.0.1")
	goodAddr  = netip.MustParseAddr("127.0.0.2")
	webIP     = netip.MustParseAddr("10.0.0.5")
	attacker  = netip.MustParseAddr("198.51.100.7")
)

// flowSpec is one IPv4 TCP flow of the IPFIX template below.
type flowSpec struct {
	src, dst     netip.Addr
	sport, dport uint16
	bytes        uint64
	at           time.Time
}

// ipfixFields: srcIPv4, dstIPv4, ports, proto, tcpFlags, packets, octets,
// flowStart/EndMilliseconds.
var ipfixFields = [][2]uint16{{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {2, 8}, {1, 8}, {152, 8}, {153, 8}}

// ipfix encodes a message with export time export, the template and the flows.
func ipfix(export uint32, flows []flowSpec) []byte {
	be := binary.BigEndian
	tpl := be.AppendUint16(nil, 2)
	tpl = be.AppendUint16(tpl, uint16(8+4*len(ipfixFields)))
	tpl = be.AppendUint16(tpl, 256)
	tpl = be.AppendUint16(tpl, uint16(len(ipfixFields)))
	for _, f := range ipfixFields {
		tpl = be.AppendUint16(be.AppendUint16(tpl, f[0]), f[1])
	}
	var data []byte
	for _, f := range flows {
		data = append(append(data, f.src.AsSlice()...), f.dst.AsSlice()...)
		data = be.AppendUint16(be.AppendUint16(data, f.sport), f.dport)
		data = append(data, 6, 0x1b)
		data = be.AppendUint64(be.AppendUint64(data, 14), f.bytes)
		ms := uint64(f.at.UnixMilli())
		data = be.AppendUint64(be.AppendUint64(data, ms-2000), ms)
	}
	set := be.AppendUint16(be.AppendUint16(nil, 256), uint16(4+len(data)))
	return message(export, append(append(tpl, set...), data...))
}

func message(export uint32, body []byte) []byte {
	be := binary.BigEndian
	m := be.AppendUint16(nil, 10)
	m = be.AppendUint16(m, uint16(16+len(body)))
	m = be.AppendUint32(m, export)
	m = be.AppendUint32(m, 1)
	m = be.AppendUint32(m, 1)
	return append(m, body...)
}

// maxTemplates is an IPFIX message defining n templates of 256 fields:
// the template memory attack.
func maxTemplates(n int) []byte {
	be := binary.BigEndian
	body := []byte{0, 2, 0, 0}
	for id := range n {
		body = be.AppendUint16(be.AppendUint16(body, uint16(300+id)), 256)
		for f := range 256 {
			body = be.AppendUint16(be.AppendUint16(body, uint16(1000+f)), 4)
		}
	}
	be.PutUint16(body[2:], uint16(len(body)))
	return message(uint32(time.Now().Unix()), body)
}

// v5 is a NetFlow v5 packet of one flow src -> dst:22 with header time secs.
func v5(secs uint32, src, dst netip.Addr) []byte {
	be := binary.BigEndian
	p := be.AppendUint16(nil, 5)
	p = be.AppendUint16(p, 1)
	p = be.AppendUint32(p, 60_000)
	p = be.AppendUint32(p, secs)
	p = append(p, make([]byte, 12)...)
	p = append(append(p, src.AsSlice()...), dst.AsSlice()...)
	p = append(p, make([]byte, 8)...)
	p = be.AppendUint32(be.AppendUint32(p, 12), 3500)
	p = be.AppendUint32(be.AppendUint32(p, 58_000), 59_000)
	p = be.AppendUint16(be.AppendUint16(p, 40001), 22)
	p = append(p, 0, 0x1b, 6, 0)
	return append(p, make([]byte, 8)...)
}

// hostile returns one hostile packet of a kind drawn from the mix, and the
// source it must come from (a zero address: the shared rogue socket; a
// port flood packet needs a fresh socket).
func hostile(rng *rand.Rand, tplFlood []byte) (kind string, pkt []byte, fresh bool) {
	switch r := rng.IntN(100); {
	case r < 40:
		b := make([]byte, 1+rng.IntN(1400))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return "random-bytes", b, false
	case r < 60:
		n := 1 + rng.IntN(30)
		b := make([]byte, 24+48*n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		binary.BigEndian.PutUint16(b, 5)
		binary.BigEndian.PutUint16(b[2:], uint16(n))
		return "random-v5", b, false
	case r < 65:
		return "future-v5", v5(0xFFFFFFF0, attacker, webIP), false
	case r < 70:
		at := time.Date(2106, 2, 7, 6, 0, 0, 0, time.UTC)
		return "future-ipfix", ipfix(0xFFFFFFF0, []flowSpec{{src: attacker, dst: webIP, sport: 40000, dport: 22, bytes: 3500, at: at}}), false
	case r < 75:
		return "epoch-v5", v5(0, attacker, webIP), false
	default:
		return "port-flood-templates", tplFlood, true
	}
}

// drive sends the hostile mix at pps until ctx ends; the good exporter
// sends its attack from the third second on, one attempt per packet four
// times a second (as an exporter flushing flows does), then benign
// current flows every second (the first closes the attack's hour), and a
// last one at the end.
func drive(ctx context.Context, to netip.AddrPort, pps int, alerts string, sum *Summary) (map[string]int, time.Time, error) {
	rogue, err := dial(rogueAddr, to)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer rogue.Close()
	good, err := dial(goodAddr, to)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer good.Close()
	sent := map[string]int{}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	tplFlood := maxTemplates(16)
	hour := time.Now().Truncate(time.Hour).Add(-2 * time.Hour) // the attack's hour: ended at least an hour ago
	start := time.Now()
	var attackAt, lastAttempt time.Time
	attempt := 0
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	lastBenign := start
	for ctx.Err() == nil {
		<-tick.C
		for range max(1, pps/100) {
			kind, pkt, fresh := hostile(rng, tplFlood)
			if fresh {
				if c, err := dial(rogueAddr, to); err == nil {
					c.Write(pkt)
					c.Close()
				}
			} else {
				rogue.Write(pkt)
			}
			sent[kind]++
		}
		now := time.Now()
		if attempt < 40 && now.Sub(start) >= 3*time.Second && now.Sub(lastAttempt) >= 250*time.Millisecond {
			f := flowSpec{src: attacker, dst: webIP, sport: uint16(40000 + attempt), dport: 22, bytes: 3900,
				at: hour.Add(10*time.Minute + time.Duration(attempt)*time.Minute)}
			good.Write(ipfix(uint32(now.Unix()), []flowSpec{f}))
			sent["good-attack"]++
			if attempt == 0 {
				attackAt = now
			}
			attempt++
			lastAttempt = now
		}
		if attempt == 40 && now.Sub(lastBenign) >= time.Second { // its first one closes the attack's hour
			good.Write(ipfix(uint32(now.Unix()), []flowSpec{{src: webIP, dst: netip.MustParseAddr("203.0.113.80"), sport: 50000, dport: 443, bytes: 90_000, at: now}}))
			sent["good-benign"]++
			lastBenign = now
			checkAlert(alerts, attackAt, sum)
		}
	}
	good.Write(ipfix(uint32(time.Now().Unix()), []flowSpec{{src: webIP, dst: netip.MustParseAddr("203.0.113.80"), sport: 50001, dport: 443, bytes: 90_000, at: time.Now()}}))
	sent["good-closing"]++
	return sent, attackAt, nil
}
