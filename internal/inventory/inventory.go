// Package inventory maps IP addresses to the monitored hosts behind them,
// over time, so network alerts can name a host rather than an address.
//
// Two sources feed it:
//
//   - An inventory file (Load), CSV, one mapping per line:
//
//     # comment
//     ip,host,subscription,valid_from,valid_to
//     10.0.0.4,web-01,0b1f6471-1bf0-4dda-aec3-cb9272f09590
//     10.0.0.5,jump-01,0b1f6471-1bf0-4dda-aec3-cb9272f09590,2024-01-01T00:00:00Z,
//
//     The header line is optional. valid_from and valid_to (RFC 3339) are
//     optional; empty means "since ever" and "until further notice". A file
//     mapping is authoritative: learned mappings for the same IP are ignored.
//
//   - Azure NSG and VNet flow logs (Learn, LearnRecord), which name the NIC
//     (MAC address) and resource that logged each tuple. Each observation
//     extends a segment "this IP was this host from first to last seen".
//
// The one-hour rule (HeldForHour): a host is only alerted on for an hour
// [start, start+1h) in which it held the same IP for the entire hour. For a
// file mapping, its validity must cover the hour; for a learned mapping, the
// IP must have been seen as that host at or before the hour's start and at or
// after its end, and as no other host in between. Hours where an IP changed
// hands (DHCP, scale sets) are thus never attributed to the wrong host.
//
// Time comes only from the observations; the package never reads the clock.
package inventory

import (
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
)

// Host is a monitored machine.
type Host struct {
	Name         string `json:"name"`
	Subscription string `json:"subscription,omitempty"`
	Resource     string `json:"resource,omitempty"` // Azure resource ID of the NIC/NSG/VNet that named it
}

// DefaultMaxLearned caps how many IPs learned mappings are kept for.
const DefaultMaxLearned = 65536

// segmentsPerIP is how many hand-overs of one IP are remembered.
const segmentsPerIP = 4

type static struct {
	host     Host
	from, to int64 // unix seconds; 0 = unbounded
}

type segment struct {
	host        uint32 // index into Inventory.hosts
	first, last int64  // unix seconds
}

type learned struct {
	segs [segmentsPerIP]segment
	n    uint8
}

// key is a learned address in its scope: the lower-case subscription the
// flow log that stated it belongs to ("" when none did). The same private
// address in two subscriptions is two keys, so two hosts.
type key struct {
	scope string
	ip    netip.Addr
}

// Inventory is safe for concurrent use.
type Inventory struct {
	mu         sync.RWMutex
	static     map[netip.Addr][]static
	learned    map[key]*learned
	scopes     map[netip.Addr][]string // the scopes each learned address has
	hosts      []Host
	hostIdx    map[Host]uint32
	maxLearned int
	dropped    uint64
}

// New returns an empty inventory that learns at most maxLearned IPs
// (DefaultMaxLearned when 0).
func New(maxLearned int) *Inventory {
	if maxLearned <= 0 {
		maxLearned = DefaultMaxLearned
	}
	return &Inventory{
		static:     map[netip.Addr][]static{},
		learned:    map[key]*learned{},
		scopes:     map[netip.Addr][]string{},
		hostIdx:    map[Host]uint32{},
		maxLearned: maxLearned,
	}
}

// Add records a file mapping valid in [from, to]; zero times are unbounded.
func (inv *Inventory) Add(ip netip.Addr, h Host, from, to time.Time) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.static[ip.Unmap()] = append(inv.static[ip.Unmap()], static{host: h, from: unix(from), to: unix(to)})
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// Learn records that ip was host h at time t.
func (inv *Inventory) Learn(ip netip.Addr, h Host, t time.Time) {
	ip = ip.Unmap()
	ts := t.Unix()
	inv.mu.Lock()
	defer inv.mu.Unlock()
	k := key{strings.ToLower(h.Subscription), ip}
	l := inv.learned[k]
	if l == nil {
		if len(inv.learned) >= inv.maxLearned {
			inv.dropped++
			return
		}
		l = &learned{}
		inv.learned[k] = l
		inv.scopes[ip] = append(inv.scopes[ip], k.scope)
	}
	l.observe(inv.intern(h), ts)
}

// learnedIn returns what was learned of ip in scope. Unscoped (a record
// that names no subscription: IPFIX, Zeek), an address learned in exactly
// one scope is that one; in several, it is ambiguous and nothing is.
func (inv *Inventory) learnedIn(scope string, ip netip.Addr) *learned {
	if l := inv.learned[key{scope, ip}]; l != nil || scope != "" {
		if l == nil {
			l = inv.learned[key{"", ip}]
		}
		return l
	}
	if sc := inv.scopes[ip]; len(sc) == 1 {
		return inv.learned[key{sc[0], ip}]
	}
	return nil
}

// Scope returns the scope under which the inventory knows ip as seen in
// scope, so that every record about one host lands on one key: a record
// naming no subscription takes the one scope ip was learned in (if only
// one); a record naming a subscription the inventory does not know ip in
// takes "" when ip is known without one. Otherwise scope is kept.
func (inv *Inventory) Scope(scope string, ip netip.Addr) string {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	return inv.scopeLocked(scope, ip)
}

// Resolve is Scope and LookupIn on the scope it returns, in one go: the
// scope ip is known by and whether it is a host at t.
func (inv *Inventory) Resolve(scope string, ip netip.Addr, t time.Time) (string, bool) {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	scope = inv.scopeLocked(scope, ip)
	_, ok := inv.lookupLocked(scope, ip, t.Unix())
	return scope, ok
}

func (inv *Inventory) scopeLocked(scope string, ip netip.Addr) string {
	sc := inv.scopes[ip]
	if scope == "" {
		if len(sc) == 1 {
			return sc[0]
		}
		return ""
	}
	if slices.Contains(sc, scope) {
		return scope
	}
	unscoped := slices.Contains(sc, "")
	for _, st := range inv.static[ip] {
		if strings.EqualFold(st.host.Subscription, scope) {
			return scope
		}
		unscoped = unscoped || st.host.Subscription == ""
	}
	if unscoped {
		return ""
	}
	return scope
}

// staticIn returns the file mappings of ip that apply in scope: those of
// that subscription or of none; all of them unscoped.
func (inv *Inventory) staticIn(scope string, ip netip.Addr) []static {
	ss := inv.static[ip]
	if scope == "" {
		return ss
	}
	var out []static
	for _, s := range ss {
		if s.host.Subscription == "" || strings.EqualFold(s.host.Subscription, scope) {
			out = append(out, s)
		}
	}
	return out
}

func (inv *Inventory) intern(h Host) uint32 {
	if i, ok := inv.hostIdx[h]; ok {
		return i
	}
	i := uint32(len(inv.hosts))
	inv.hosts = append(inv.hosts, h)
	inv.hostIdx[h] = i
	return i
}

// observe extends the latest segment of the same host, or opens a new one
// when the IP changed hands, forgetting the oldest beyond segmentsPerIP.
func (l *learned) observe(host uint32, ts int64) {
	if l.n > 0 {
		s := &l.segs[l.n-1]
		if s.host == host {
			s.first, s.last = min(s.first, ts), max(s.last, ts)
			return
		}
	}
	if int(l.n) == segmentsPerIP {
		copy(l.segs[:], l.segs[1:])
		l.n--
	}
	l.segs[l.n] = segment{host: host, first: ts, last: ts}
	l.n++
}

// Lookup returns the host ip belongs to at t, if any: used to route flows
// to hosts. Alerting additionally requires HeldForHour.
func (inv *Inventory) Lookup(ip netip.Addr, t time.Time) (Host, bool) { return inv.LookupIn("", ip, t) }

// LookupIn is Lookup for an address seen in scope (the subscription of the
// flow log that reported it, "" for none).
func (inv *Inventory) LookupIn(scope string, ip netip.Addr, t time.Time) (Host, bool) {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	return inv.lookupLocked(scope, ip, t.Unix())
}

func (inv *Inventory) lookupLocked(scope string, ip netip.Addr, ts int64) (Host, bool) {
	if ss := inv.staticIn(scope, ip); len(ss) > 0 {
		for _, s := range ss {
			if (s.from == 0 || s.from <= ts) && (s.to == 0 || ts <= s.to) {
				return s.host, true
			}
		}
		return Host{}, false
	}
	l := inv.learnedIn(scope, ip)
	if l == nil || l.n == 0 {
		return Host{}, false
	}
	return inv.hosts[l.segs[l.n-1].host], true
}

// HeldForHour reports which host held ip for the entire hour starting at
// start, under the one-hour rule described in the package doc.
func (inv *Inventory) HeldForHour(ip netip.Addr, start time.Time) (Host, bool) {
	return inv.HeldForHourIn("", ip, start)
}

// HeldForHourIn is HeldForHour for an address seen in scope.
func (inv *Inventory) HeldForHourIn(scope string, ip netip.Addr, start time.Time) (Host, bool) {
	from, to := start.Unix(), start.Add(time.Hour).Unix()
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	if ss := inv.staticIn(scope, ip); len(ss) > 0 {
		for _, s := range ss {
			if (s.from == 0 || s.from <= from) && (s.to == 0 || to <= s.to) {
				return s.host, true
			}
		}
		return Host{}, false
	}
	l := inv.learnedIn(scope, ip)
	if l == nil {
		return Host{}, false
	}
	return inv.heldLearned(l, from, to)
}

func (inv *Inventory) heldLearned(l *learned, from, to int64) (Host, bool) {
	var holder *segment
	for i := range l.segs[:l.n] {
		s := &l.segs[i]
		if s.first <= from && s.last >= to {
			holder = s
		}
	}
	if holder == nil {
		return Host{}, false
	}
	for i := range l.segs[:l.n] {
		s := &l.segs[i]
		if s.host != holder.host && s.last >= from && s.first <= to {
			return Host{}, false // someone else held it during the hour
		}
	}
	return inv.hosts[holder.host], true
}

// Dropped is how many learned observations were dropped at the cap.
func (inv *Inventory) Dropped() uint64 {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	return inv.dropped
}
