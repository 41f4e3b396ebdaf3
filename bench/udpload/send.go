package main

import (
	"net"
	"net/netip"
	"time"
)

// send paces data packets over the exporters round-robin so that the
// records sent never run ahead of rate × elapsed, resending each
// exporter's template every second. Exporters alternate IPFIX (to
// addrs[0]) and NetFlow v9 (to addrs[1]), each from its own socket.
func send(addrs []netip.AddrPort, l load) (packets, flows int, err error) {
	type sender struct {
		e    *exporter
		conn *net.UDPConn
		tpl  time.Time
	}
	ss := make([]sender, l.exporters)
	for i := range ss {
		v9 := i%2 == 1
		to := addrs[0]
		if v9 {
			to = addrs[1]
		}
		conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(to))
		if err != nil {
			return 0, 0, err
		}
		defer conn.Close()
		ss[i] = sender{e: newExporter(v9, uint64(i+1)), conn: conn}
	}
	pps := float64(l.rate) / float64(l.perPacket)
	start := time.Now()
	end := start.Add(l.duration)
	for next := 0; ; {
		now := time.Now()
		if !now.Before(end) {
			return packets, flows, nil
		}
		due := int(now.Sub(start).Seconds() * pps)
		if packets >= due {
			time.Sleep(100 * time.Microsecond)
			continue
		}
		for ; packets < due; packets++ {
			s := &ss[next]
			next = (next + 1) % len(ss)
			if now.Sub(s.tpl) >= time.Second {
				s.tpl = now
				if _, err := s.conn.Write(s.e.template(now)); err != nil {
					return packets, flows, err
				}
			}
			if _, err := s.conn.Write(s.e.data(now, l.perPacket)); err != nil {
				return packets, flows, err
			}
			flows += l.perPacket
		}
	}
}
