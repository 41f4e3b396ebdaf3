package event

import "net/netip"

// nonPublic lists the special-purpose ranges (IANA IPv4 and IPv6
// special-purpose address registries) that netip's own predicates do not
// cover and that no geolocation database can place.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use IPv4/IPv6 translation
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:2::/48"),     // benchmarking
	netip.MustParsePrefix("2001:10::/28"),    // ORCHID (deprecated)
	netip.MustParsePrefix("2001:20::/28"),    // ORCHIDv2
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("3fff::/20"),       // documentation (RFC 9637)
}

// specialFirstOctet marks the first octets of every non-public IPv4 range:
// 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24,
// 192.0.2/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, and
// 224/3 (multicast, reserved, broadcast).
var specialFirstOctet = func() (t [256]bool) {
	for _, o := range []int{0, 10, 100, 127, 169, 172, 192, 198, 203} {
		t[o] = true
	}
	for o := 224; o < 256; o++ {
		t[o] = true
	}
	return t
}()

// globalUnicast6 is the only IPv6 block IANA allocates from; addresses
// outside it (other than the IPv4-mapped ones, which are unmapped first)
// are unassigned or special.
var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// IsPublicIP reports whether ip is a globally routed unicast address that a
// geolocation database can place. Private, loopback, link-local, multicast,
// CGNAT, documentation, benchmarking and reserved addresses are not public.
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are judged as IPv4.
func IsPublicIP(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.Is4() {
		// Fast path: most addresses start with an octet no special range
		// starts with.
		if a := ip.As4(); !specialFirstOctet[a[0]] {
			return true
		}
	}
	if !ip.IsValid() || ip.Zone() != "" {
		return false
	}
	if ip.IsUnspecified() || ip.IsLoopback() || ip.IsPrivate() ||
		ip.IsMulticast() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() {
		return false
	}
	if ip.Is6() && !globalUnicast6.Contains(ip) {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
