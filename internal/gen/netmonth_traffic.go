package gen

import (
	"net/netip"
	"time"
)

// nmConn is one TCP or UDP connection between two endpoints.
type nmConn struct {
	src, dst   netip.Addr
	sport      uint16
	dport      uint16
	proto      uint8
	start, end time.Time
	pk, by     uint64 // forward totals
	rpk, rby   uint64 // reverse totals
	deny       bool   // denied inbound at the destination's NSG
	rule       string
}

// conn logs c at each VM end: outbound at the source NIC, inbound at the
// destination NIC, as VNet flow logs do. An allowed connection is a B
// tuple at its start, C tuples every 30 minutes while it lasts, and an E
// tuple with the counts at its end; a denied one is a single D tuple.
func (g *nmGen) conn(c nmConn) {
	if c.proto == 0 {
		c.proto = 6
	}
	if c.sport == 0 {
		c.sport = uint16(32768 + g.rng.IntN(28000))
	}
	sides := []struct {
		vm  *nmVM
		out bool
	}{{g.byIP[c.src], true}, {g.byIP[c.dst], false}}
	for _, s := range sides {
		if s.vm == nil || (c.deny && s.out) {
			continue
		}
		rule := c.rule
		if rule == "" {
			rule = defaultRule(s.out, c.src, c.dst)
		}
		t := nmTuple{src: c.src, dst: c.dst, sport: c.sport, dport: c.dport, proto: c.proto, out: s.out, nic: s.vm, rule: rule}
		if c.deny {
			t.at, t.state = c.start, 'D'
			g.tuples = append(g.tuples, t)
			continue
		}
		g.lifecycle(t, c)
	}
}

func (g *nmGen) lifecycle(t nmTuple, c nmConn) {
	t.at, t.state = c.start, 'B'
	g.tuples = append(g.tuples, t)
	var parts []time.Time
	for at := c.start.Add(30 * time.Minute); at.Before(c.end); at = at.Add(30 * time.Minute) {
		parts = append(parts, at)
	}
	parts = append(parts, c.end)
	n := uint64(len(parts))
	for i, at := range parts {
		t.at, t.state = at, 'C'
		if i == len(parts)-1 {
			t.state = 'E'
		}
		t.pk, t.by, t.rpk, t.rby = share(c.pk, n, i), share(c.by, n, i), share(c.rpk, n, i), share(c.rby, n, i)
		g.tuples = append(g.tuples, t)
	}
}

// share is part i of total split in n parts, the remainder in the last.
func share(total, n uint64, i int) uint64 {
	if uint64(i) == n-1 {
		return total - total/n*(n-1)
	}
	return total / n
}

func defaultRule(out bool, src, dst netip.Addr) string {
	switch {
	case out && !dst.IsPrivate():
		return "DefaultRule_AllowInternetOutBound"
	case out || src.IsPrivate():
		return "DefaultRule_AllowVnetOutBound"
	}
	return "UserRule_AllowServiceInbound"
}

// at returns a time on day d at hour h plus a random offset within the hour.
func (g *nmGen) at(d, h int) time.Time {
	return g.cfg.Start.AddDate(0, 0, d).Add(time.Duration(h)*time.Hour + time.Duration(g.rng.IntN(3_590_000))*time.Millisecond)
}

func (g *nmGen) dur(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(g.rng.Int64N(int64(hi-lo)))
}

func (g *nmGen) roles(role string) []*nmVM {
	var out []*nmVM
	for _, vm := range g.vms {
		if vm.Role == role {
			out = append(out, vm)
		}
	}
	return out
}

// benignDay generates day d's normal traffic.
func (g *nmGen) benignDay(d int) {
	azure := []netip.Addr{}
	for range 6 {
		azure = append(azure, g.publicAddr(azureNets...))
	}
	dbs, apps := g.roles("db"), g.roles("app")
	for h := range 24 {
		for _, vm := range g.vms {
			g.serviceTraffic(vm, d, h, azure, dbs, apps)
			g.scanners(vm, d, h)
		}
	}
	g.backups(d)
	g.jumpBoxes(d)
}

// serviceTraffic: Azure monitoring and storage calls from every VM, web
// tier to app tier, app tier to databases.
func (g *nmGen) serviceTraffic(vm *nmVM, d, h int, azure []netip.Addr, dbs, apps []*nmVM) {
	for range 1 + g.rng.IntN(3) {
		s := g.at(d, h)
		g.conn(nmConn{src: vm.IP, dst: azure[g.rng.IntN(len(azure))], dport: 443, start: s, end: s.Add(g.dur(time.Second, 40*time.Second)),
			pk: 12 + g.rng.Uint64N(40), by: 2000 + g.rng.Uint64N(30000), rpk: 10 + g.rng.Uint64N(40), rby: 4000 + g.rng.Uint64N(90000)})
	}
	var peer *nmVM
	var port uint16
	switch vm.Role {
	case "web":
		peer, port = apps[g.rng.IntN(len(apps))], 8443
	case "app":
		peer, port = dbs[g.rng.IntN(len(dbs))], 5432
		if peer.Windows {
			port = 1433
		}
	default:
		return
	}
	for range 2 + g.rng.IntN(4) {
		s := g.at(d, h)
		g.conn(nmConn{src: vm.IP, dst: peer.IP, dport: port, start: s, end: s.Add(g.dur(time.Second, 10*time.Minute)),
			pk: 20 + g.rng.Uint64N(400), by: 3000 + g.rng.Uint64N(200000), rpk: 20 + g.rng.Uint64N(800), rby: 10000 + g.rng.Uint64N(2000000)})
	}
}

// scanners: Internet scanners probe every VM's management and database
// ports; the NSG denies them, except on the one port a VM exposes, where
// they make a short allowed attempt or two.
func (g *nmGen) scanners(vm *nmVM, d, h int) {
	ports := []uint16{22, 3389, 23, 445, 1433, 5900, 8080, 3306}
	for range g.rng.IntN(4) {
		src := g.publicAddr(scannerNets...)
		port := ports[g.rng.IntN(len(ports))]
		if vm.Exposed != 0 && g.rng.IntN(2) == 0 {
			port = vm.Exposed
		}
		s := g.at(d, h)
		if port != vm.Exposed {
			g.conn(nmConn{src: src, dst: vm.IP, dport: port, start: s, deny: true, rule: "DefaultRule_DenyAllInBound"})
			continue
		}
		for i := range 1 + g.rng.IntN(2) {
			a := s.Add(time.Duration(i*7) * time.Second)
			g.attempt(src, vm.IP, port, a, "UserRule_AllowExposedInbound")
		}
	}
}

// attempt is one failed login: a short connection of a few KB.
func (g *nmGen) attempt(src, dst netip.Addr, port uint16, s time.Time, rule string) {
	by, rby := 1500+g.rng.Uint64N(1500), 2500+g.rng.Uint64N(2500)
	if port == 3389 {
		by, rby = 6000+g.rng.Uint64N(6000), 9000+g.rng.Uint64N(12000)
	}
	g.conn(nmConn{src: src, dst: dst, dport: port, start: s, end: s.Add(g.dur(800*time.Millisecond, 4*time.Second)),
		pk: 10 + g.rng.Uint64N(8), by: by, rpk: 9 + g.rng.Uint64N(8), rby: rby, rule: rule})
}

// backups: every VM sends its nightly backup to backup-01, which copies
// the night's set to Azure storage: multi-gigabyte flows over hours.
func (g *nmGen) backups(d int) {
	srv := g.roles("backup")[0]
	for _, vm := range g.vms {
		if vm == srv {
			continue
		}
		s := g.at(d, 1)
		gb := uint64(1+g.rng.IntN(40)) << 28
		g.conn(nmConn{src: vm.IP, dst: srv.IP, dport: 8400, start: s, end: s.Add(g.dur(10*time.Minute, 90*time.Minute)),
			pk: gb / 1400, by: gb, rpk: gb / 14000, rby: gb / 200})
	}
	s := g.at(d, 3)
	tb := uint64(200+g.rng.IntN(300)) << 30
	g.conn(nmConn{src: srv.IP, dst: g.publicAddr(azureNets...), dport: 443, start: s, end: s.Add(g.dur(2*time.Hour, 3*time.Hour)),
		pk: tb / 1400, by: tb, rpk: tb / 14000, rby: tb / 200})
}

// jumpBoxes: administrators open SSH (Linux jump box) and RDP (Windows
// jump box) sessions to a handful of servers during working hours, and a
// few short connections (a quick check, a mistyped password).
func (g *nmGen) jumpBoxes(d int) {
	weekday := g.cfg.Start.AddDate(0, 0, d).Weekday()
	if weekday == time.Saturday || weekday == time.Sunday {
		return
	}
	for _, jb := range g.roles("jump") {
		port := uint16(22)
		if jb.Windows {
			port = 3389
		}
		var targets []*nmVM
		for _, vm := range g.vms {
			if vm.Windows == jb.Windows && vm.Role != "jump" {
				targets = append(targets, vm)
			}
		}
		for range 3 + g.rng.IntN(6) {
			t := targets[g.rng.IntN(len(targets))]
			s := g.at(d, 8+g.rng.IntN(10))
			g.conn(nmConn{src: jb.IP, dst: t.IP, dport: port, start: s, end: s.Add(g.dur(5*time.Minute, 100*time.Minute)),
				pk: 2000 + g.rng.Uint64N(20000), by: 200_000 + g.rng.Uint64N(8_000_000), rpk: 3000 + g.rng.Uint64N(30000), rby: 400_000 + g.rng.Uint64N(40_000_000)})
			for i := range g.rng.IntN(3) {
				g.attempt(jb.IP, t.IP, port, s.Add(-time.Duration(20+i*15)*time.Second), "")
			}
		}
	}
}
