package event

import (
	"net/netip"
	"testing"
)

func TestIsPublicIP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ip   string
		want bool
	}{
		{"8.8.8.8", true},
		{"175.45.176.99", true},
		{"2001:4860:4860::8888", true},
		{"2a02:a03f::1", true},
		{"::ffff:8.8.8.8", true}, // IPv4-mapped: judged as IPv4
		{"::ffff:10.0.0.1", false},
		{"::ffff:100.64.1.1", false},
		{"10.0.0.1", false},
		{"172.16.5.4", false},
		{"172.32.0.1", true}, // just past 172.16/12
		{"192.168.1.1", false},
		{"100.64.0.1", false},      // CGNAT
		{"100.127.255.255", false}, // CGNAT end
		{"100.128.0.1", true},      // past CGNAT
		{"127.0.0.1", false},
		{"169.254.1.1", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"192.0.0.9", false},
		{"192.0.2.10", false},
		{"198.18.0.1", false},
		{"198.51.100.7", false},
		{"203.0.113.200", false},
		{"224.0.0.251", false},
		{"239.255.255.250", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},
		{"::", false},
		{"::1", false},
		{"fe80::1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"ff02::1", false},
		{"2001:db8::1", false},
		{"2001:db8:ffff::1", false},
		{"2001:db9::1", true},
		{"3fff::1", false},
		{"100::1", false},
		{"2001:2::1", false},
		{"2001:20::1", false},
		{"4000::1", false}, // outside 2000::/3, unallocated
		{"fec0::1", false}, // deprecated site-local
	}
	for _, tt := range tests {
		if got := IsPublicIP(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("IsPublicIP(%s) = %v, want %v", tt.ip, got, tt.want)
		}
	}
	if IsPublicIP(netip.Addr{}) {
		t.Error("IsPublicIP(zero Addr) = true")
	}
}

// TestIsPublicIPFastPathAgrees checks the first-octet fast path against the
// full rules on every /16 of IPv4.
func TestIsPublicIPFastPathAgrees(t *testing.T) {
	for a := range 256 {
		for b := range 256 {
			ip := netip.AddrFrom4([4]byte{byte(a), byte(b), 1, 1})
			if got, want := IsPublicIP(ip), slowIsPublic(ip); got != want {
				t.Fatalf("IsPublicIP(%s) = %v, full rules say %v", ip, got, want)
			}
		}
	}
}

func slowIsPublic(ip netip.Addr) bool {
	if ip.IsUnspecified() || ip.IsLoopback() || ip.IsPrivate() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
