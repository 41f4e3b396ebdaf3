package baseline

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"time"
)

// NetKey is an address's network as a map key: the first EgressV4Bits of an
// IPv4 address or EgressV6Bits (at most 64) of an IPv6 address, with the top
// bit set for IPv6.
type NetKey uint64

const netV6 = NetKey(1) << 63

// netOf returns ip's network key at the configured prefix lengths. It
// runs for every event: the prefix lengths are read, not the Config
// copied.
func (c *Config) netOf(ip netip.Addr) NetKey {
	v4Bits, v6Bits := c.prefixBits()
	ip = ip.Unmap()
	if ip.Is4() {
		b := ip.As4()
		v := binary.BigEndian.Uint32(b[:])
		return NetKey(v &^ (1<<(32-v4Bits) - 1))
	}
	b := ip.As16()
	v := binary.BigEndian.Uint64(b[:8])
	return NetKey(v&^(1<<(64-v6Bits)-1))>>1 | netV6
}

// NetOf returns the network key of ip under these baselines' prefix
// lengths.
func (b *Baselines) NetOf(ip netip.Addr) NetKey { return b.cfg.netOf(ip) }

// withPrefixDefaults fills prefix lengths a hand-made Config left zero.
func (c Config) withPrefixDefaults() Config {
	c.EgressV4Bits, c.EgressV6Bits = c.prefixBits()
	return c
}

// prefixBits are the egress prefix lengths, 24 and 48 where left zero.
func (c *Config) prefixBits() (v4, v6 int) {
	v4, v6 = c.EgressV4Bits, c.EgressV6Bits
	if v4 == 0 {
		v4 = 24
	}
	if v6 == 0 {
		v6 = 48
	}
	return v4, v6
}

// Prefix returns the network a key stands for.
func (c Config) Prefix(k NetKey) netip.Prefix {
	c = c.withPrefixDefaults()
	if k&netV6 == 0 {
		var a [4]byte
		binary.BigEndian.PutUint32(a[:], uint32(k))
		return netip.PrefixFrom(netip.AddrFrom4(a), c.EgressV4Bits)
	}
	var a [16]byte
	binary.BigEndian.PutUint64(a[:8], uint64(k&^netV6)<<1)
	return netip.PrefixFrom(netip.AddrFrom16(a), c.EgressV6Bits)
}

// NetUsage returns the usage of network k, zero if unused.
func (t *Tenant) NetUsage(k NetKey) Usage { return sharedUsage(t.SoloNets, t.Nets, k) }

// Egress is one shared egress the baselines learned: an IP or a network
// that several principals of a tenant used within the window.
type Egress struct {
	Prefix     netip.Prefix `json:"prefix"` // a single address (/32, /128) for an IP
	Principals int          `json:"principals"`
	LastSeen   time.Time    `json:"last_seen"` // day of the latest use
}

// SharedEgress lists tenant's IPs and networks used by at least min
// principals within the window ending at the tenant's latest event,
// networks first, then by principals (most first) and prefix. It is what
// the impossible-travel detection treats as shared egress, so an analyst
// can see why a pair of places stayed quiet. ok is false for a tenant the
// baselines have not seen.
func (b *Baselines) SharedEgress(tenant string, min int) (out []Egress, ok bool) {
	t, ok := b.tenants[tenant]
	if !ok {
		return nil, false
	}
	since := b.WindowStart(t.Latest())
	out = []Egress{}
	add := func(p netip.Prefix, u Usage) {
		if n := u.Count(since); n >= min {
			out = append(out, Egress{Prefix: p, Principals: n, LastSeen: time.Unix(int64(u.LastDay)*86400, 0).UTC()})
		}
	}
	for k, u := range t.Nets {
		add(b.cfg.Prefix(k), u)
	}
	for k, u := range t.IPs {
		a := netip.AddrFrom16(k).Unmap()
		add(netip.PrefixFrom(a, a.BitLen()), u)
	}
	slices.SortFunc(out, func(x, y Egress) int {
		if x.Prefix.Bits() != y.Prefix.Bits() {
			return x.Prefix.Bits() - y.Prefix.Bits()
		}
		if x.Principals != y.Principals {
			return y.Principals - x.Principals
		}
		return x.Prefix.Addr().Compare(y.Prefix.Addr())
	})
	return out, true
}

// Latest is the time of the tenant's latest event of any kind.
func (t *Tenant) Latest() time.Time {
	var ns int64
	for _, w := range t.Watermarks {
		ns = max(ns, w.Time)
	}
	return time.Unix(0, ns).UTC()
}

// sharedUsage returns k's usage from a pair of solo and shared maps.
func sharedUsage[K comparable](solo map[K]Solo, many map[K]Usage, k K) Usage {
	return splitUsage(solo, k, many, k)
}

// splitUsage is sharedUsage for a solo map with its own key: sk is k in
// solo's (smaller) form.
func splitUsage[S, K comparable](solo map[S]Solo, sk S, many map[K]Usage, k K) Usage {
	if s, ok := solo[sk]; ok {
		return Usage{Who: [recentSlots]uint32{s.Who}, Day: [recentSlots]uint16{s.Day}, LastDay: s.Day}
	}
	return many[k]
}

// touchShared records that principal who used k on day, promoting a solo
// key to a shared one when a second principal uses it. It returns the
// principal (index + 1) whose use was forgotten to make room, 0 if none.
// Most keys are solo and most uses repeat one already recorded: those
// cost one map read.
func touchShared[K comparable](solo map[K]Solo, many map[K]Usage, k K, who uint32, day uint16) (evicted uint32) {
	return touchSplit(solo, k, many, k, who, day)
}

// touchSplit is touchShared for a solo map with its own key: sk is k in
// solo's (smaller) form.
func touchSplit[S, K comparable](solo map[S]Solo, sk S, many map[K]Usage, k K, who uint32, day uint16) (evicted uint32) {
	if s, ok := solo[sk]; ok {
		switch {
		case s.Who != who+1:
			u := Usage{}
			u.touch(s.Who-1, s.Day)
			u.touch(who, day)
			many[k] = u
			delete(solo, sk)
		case day > s.Day:
			solo[sk] = Solo{Who: s.Who, Day: day}
		}
		return 0
	}
	u, ok := many[k]
	if !ok {
		solo[sk] = Solo{Who: who + 1, Day: day}
		return 0
	}
	changed, evicted := u.touch(who, day)
	if changed {
		many[k] = u
	}
	return evicted
}

func pruneShared[K comparable](solo map[K]Solo, many map[K]Usage, cut uint16) {
	pruneUsage(many, cut)
	pruneSolo(solo, cut)
}

func pruneSolo[K comparable](solo map[K]Solo, cut uint16) {
	for k, s := range solo {
		if s.Day < cut {
			delete(solo, k)
		}
	}
}

// NetOf returns the network key of ip under the tenant's prefix lengths.
func (t *Tenant) NetOf(ip netip.Addr) NetKey { return t.cfg.netOf(ip) }

// Prefix returns the network a key of this tenant stands for.
func (t *Tenant) Prefix(k NetKey) netip.Prefix { return t.cfg.Prefix(k) }
