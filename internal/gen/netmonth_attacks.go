package gen

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// Network detection IDs the labels name (package netdetect's).
const (
	DetSSHInOne   = "ssh-incoming-one-to-one"
	DetSSHInMany  = "ssh-incoming-many-to-one"
	DetSSHOutOne  = "ssh-outgoing-one-to-one"
	DetSSHOutMany = "ssh-outgoing-one-to-many"
	DetRDPInOne   = "rdp-incoming-one-to-one"
	DetRDPInMany  = "rdp-incoming-many-to-one"
	DetRDPOutOne  = "rdp-outgoing-one-to-one"
	DetRDPOutMany = "rdp-outgoing-one-to-many"
	DetNetC2      = "network-communication-with-c2"
)

// nmAttack is one labelled host-hour.
type nmAttack struct {
	det      string
	vm       *nmVM
	hour     time.Time
	top      netip.Addr // the peer the alert lists first
	port     uint16
	in       bool
	scenario string
}

// attacks plans and emits the labelled attacks, then labels them.
func (g *nmGen) attacks() error {
	sftp, rdgw := g.roles("sftp")[0], g.roles("rdpgw")[0]
	var lnx, win []*nmVM
	for _, vm := range g.vms {
		if vm.Role == "app" || vm.Role == "web" {
			if vm.Windows {
				win = append(win, vm)
			} else {
				lnx = append(lnx, vm)
			}
		}
	}
	if len(win) < 2 || len(lnx) < 3 {
		return fmt.Errorf("gen: network: too few app and web VMs for the attacks: %w", ErrConfig)
	}
	taken := map[string]bool{}
	var planned []nmAttack
	plan := func(det string, vm *nmVM, port uint16, in bool, n int, emit func(*nmAttack)) {
		for range n {
			a := nmAttack{det: det, vm: vm, port: port, in: in, hour: g.attackHour(vm, taken)}
			emit(&a)
			planned = append(planned, a)
		}
	}
	plan(DetSSHInOne, sftp, 22, true, 2, func(a *nmAttack) { g.inOne(a, 40+g.rng.IntN(80)) })
	plan(DetSSHInMany, sftp, 22, true, 2, func(a *nmAttack) { g.inMany(a, 12+g.rng.IntN(14), 5, 8) })
	plan(DetRDPInOne, rdgw, 3389, true, 2, func(a *nmAttack) { g.inOne(a, 30+g.rng.IntN(50)) })
	plan(DetRDPInMany, rdgw, 3389, true, 2, func(a *nmAttack) { g.inMany(a, 11+g.rng.IntN(10), 3, 5) })
	plan(DetSSHOutOne, lnx[0], 22, false, 2, func(a *nmAttack) { g.outOne(a, 40+g.rng.IntN(60)) })
	plan(DetSSHOutMany, lnx[1], 22, false, 2, func(a *nmAttack) { g.outMany(a, 15+g.rng.IntN(25)) })
	plan(DetRDPOutOne, win[0], 3389, false, 1, func(a *nmAttack) { g.outOne(a, 30+g.rng.IntN(30)) })
	plan(DetRDPOutMany, win[1], 3389, false, 2, func(a *nmAttack) { g.outMany(a, 12+g.rng.IntN(18)) })
	beacon := g.ti[g.rng.IntN(len(g.ti))]
	plan(DetNetC2, lnx[2], 443, false, 1, func(a *nmAttack) { g.c2(a, beacon) })
	next := planned[len(planned)-1]
	next.hour = next.hour.Add(time.Hour) // the beacon goes on into the next hour
	if !taken[hourKey(next.vm, next.hour)] && next.hour.Before(g.cfg.Start.AddDate(0, 0, g.cfg.Days)) {
		taken[hourKey(next.vm, next.hour)] = true
		g.c2(&next, beacon)
		planned = append(planned, next)
	}
	plan(DetNetC2, win[0], 443, false, 1, func(a *nmAttack) { g.c2(a, g.ti[g.rng.IntN(len(g.ti))]) })
	g.deniedBruteForce(lnx[len(lnx)-1], taken)
	for i := range planned {
		g.label(&planned[i])
	}
	return nil
}

func hourKey(vm *nmVM, h time.Time) string { return vm.Name + h.Format(time.RFC3339) }

// attackHour picks an hour after the first day that vm has no attack in.
func (g *nmGen) attackHour(vm *nmVM, taken map[string]bool) time.Time {
	for {
		d := 1 + g.rng.IntN(g.cfg.Days-2)
		h := g.cfg.Start.AddDate(0, 0, d).Add(time.Duration(g.rng.IntN(24)) * time.Hour)
		if k := hourKey(vm, h); !taken[k] {
			taken[k] = true
			return h
		}
	}
}

// spread returns n times within the attack hour, a tool's steady pace.
func (g *nmGen) spread(a *nmAttack, n int) []time.Time {
	start := a.hour.Add(time.Duration(1+g.rng.IntN(10)) * time.Minute)
	span := time.Duration(20+g.rng.IntN(25)) * time.Minute
	out := make([]time.Time, n)
	for i := range n {
		out[i] = start.Add(span * time.Duration(i) / time.Duration(n)).Add(time.Duration(g.rng.IntN(900)) * time.Millisecond)
	}
	return out
}

// inOne: one Internet source guesses passwords n times.
func (g *nmGen) inOne(a *nmAttack, n int) {
	a.top = g.publicAddr(attackNets...)
	a.scenario = fmt.Sprintf("%s: %d guesses from %s against the exposed port %d", a.det, n, a.top, a.port)
	for _, at := range g.spread(a, n) {
		g.attempt(a.top, a.vm.IP, a.port, at, "UserRule_AllowExposedInbound")
	}
}

// inMany: a botnet of k sources, lo..hi guesses each; the first source
// makes the most.
func (g *nmGen) inMany(a *nmAttack, k, lo, hi int) {
	total := 0
	for i := range k {
		src := g.publicAddr(attackNets...)
		n := lo + g.rng.IntN(hi-lo+1)
		if i == 0 {
			a.top, n = src, hi+2
		}
		total += n
		for _, at := range g.spread(a, n) {
			g.attempt(src, a.vm.IP, a.port, at, "UserRule_AllowExposedInbound")
		}
	}
	a.scenario = fmt.Sprintf("%s: %d sources, %d guesses against port %d", a.det, k, total, a.port)
}

// outOne: a compromised VM guesses passwords on one Internet host.
func (g *nmGen) outOne(a *nmAttack, n int) {
	a.top = g.publicAddr(victimNets...)
	a.scenario = fmt.Sprintf("%s: compromised VM makes %d guesses at %s:%d", a.det, n, a.top, a.port)
	for _, at := range g.spread(a, n) {
		g.attempt(a.vm.IP, a.top, a.port, at, "")
	}
}

// outMany: a compromised VM sweeps k Internet hosts, one or two tries
// each, three on the first.
func (g *nmGen) outMany(a *nmAttack, k int) {
	total := 0
	for i := range k {
		dst := g.publicAddr(victimNets...)
		n := 1 + g.rng.IntN(2)
		if i == 0 {
			a.top, n = dst, 3
		}
		total += n
		for _, at := range g.spread(a, n) {
			g.attempt(a.vm.IP, dst, a.port, at, "")
		}
	}
	a.scenario = fmt.Sprintf("%s: compromised VM tries %d hosts on port %d (%d attempts)", a.det, k, a.port, total)
}

// c2: an implant beacons over HTTPS to a listed address every ~5 minutes.
func (g *nmGen) c2(a *nmAttack, peer netip.Addr) {
	a.top = peer
	a.scenario = fmt.Sprintf("%s: beacon to listed %s every 5 minutes", a.det, peer)
	for m := 0; m < 60; m += 5 {
		s := a.hour.Add(time.Duration(m)*time.Minute + time.Duration(g.rng.IntN(60_000))*time.Millisecond)
		g.conn(nmConn{src: a.vm.IP, dst: peer, dport: 443, start: s, end: s.Add(g.dur(time.Second, 3*time.Second)),
			pk: 8, by: 1200 + g.rng.Uint64N(600), rpk: 7, rby: 900 + g.rng.Uint64N(4000)})
	}
}

// deniedBruteForce: a long guessing run against a VM whose NSG denies the
// Internet: not an alert (nothing reached the host). Unlabelled.
func (g *nmGen) deniedBruteForce(vm *nmVM, taken map[string]bool) {
	a := nmAttack{vm: vm, hour: g.attackHour(vm, taken)}
	src := g.publicAddr(attackNets...)
	for _, at := range g.spread(&a, 200) {
		g.conn(nmConn{src: src, dst: vm.IP, dport: 22, start: at, deny: true, rule: "DefaultRule_DenyAllInBound"})
	}
}

// label writes the alert a's hour should raise. Its time is the engine's:
// the last counted flow of the host's channel in the hour (brute force),
// or the last flow with the listed peer (C2).
func (g *nmGen) label(a *nmAttack) {
	end := a.hour.Add(time.Hour)
	var last time.Time
	for _, t := range g.tuples {
		if t.at.Before(a.hour) || !t.at.Before(end) || !g.counts(a, t) {
			continue
		}
		if t.at.After(last) {
			last = t.at
		}
	}
	key := "netagg:" + a.det + ":" + a.vm.IP.String() + ":" + a.top.String() + ":" + strconv.FormatInt(a.hour.Unix(), 10)
	g.labels = append(g.labels, Label{Detection: a.det, Principal: a.vm.Name, Time: last.Truncate(time.Millisecond), Key: key, Scenario: a.scenario})
}

func (g *nmGen) counts(a *nmAttack, t nmTuple) bool {
	if a.det == DetNetC2 {
		return (t.src == a.vm.IP && t.dst == a.top) || (t.dst == a.vm.IP && t.src == a.top && t.state != 'D')
	}
	if t.proto != 6 || (t.state != 'B' && t.state != 'D') || t.dport != a.port || t.sport == a.port {
		return false
	}
	if a.in {
		return t.dst == a.vm.IP
	}
	return t.src == a.vm.IP
}
