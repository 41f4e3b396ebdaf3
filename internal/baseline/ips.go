package baseline

import (
	"encoding/binary"
	"net/netip"
)

// Most IPs are IPv4 addresses one principal used (home and mobile
// addresses): SoloIPs4 keeps them by their 4 bytes, 12 bytes an entry
// where a 16-byte IPKey takes 24. SoloIPs keeps the IPv6 ones.

// v4 returns the IPv4 address k holds as a number, ok=false for IPv6.
func (k IPKey) v4() (uint32, bool) {
	a := netip.AddrFrom16(k)
	if !a.Is4In6() {
		return 0, false
	}
	return binary.BigEndian.Uint32(k[12:]), true
}

// IPUsage returns the usage of ip, zero if unused.
func (t *Tenant) IPUsage(ip netip.Addr) Usage {
	k := KeyOf(ip)
	if v4, ok := k.v4(); ok {
		return splitUsage(t.SoloIPs4, v4, t.IPs, k)
	}
	return sharedUsage(t.SoloIPs, t.IPs, k)
}

// touchIP records that principal who used ip on day; see touchShared.
func (t *Tenant) touchIP(k IPKey, who uint32, day uint16) (evicted uint32) {
	if v4, ok := k.v4(); ok {
		return touchSplit(t.SoloIPs4, v4, t.IPs, k, who, day)
	}
	return touchShared(t.SoloIPs, t.IPs, k, who, day)
}

// pruneIPs forgets IPs last used before day cut.
func (t *Tenant) pruneIPs(cut uint16) {
	pruneShared(t.SoloIPs, t.IPs, cut)
	pruneSolo(t.SoloIPs4, cut)
}

// splitIPv4 moves the IPv4 addresses of SoloIPs to SoloIPs4: snapshots
// written before SoloIPs4 existed kept every solo IP in SoloIPs.
func (t *Tenant) splitIPv4() {
	for k, s := range t.SoloIPs {
		if v4, ok := k.v4(); ok {
			t.SoloIPs4[v4] = s
			delete(t.SoloIPs, k)
		}
	}
}
