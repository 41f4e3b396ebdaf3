package baseline

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

func TestNetKeyRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		cfg  Config
		ip   string
		want string
	}{
		{DefaultConfig(), "81.2.69.160", "81.2.69.0/24"},
		{DefaultConfig(), "::ffff:81.2.69.160", "81.2.69.0/24"},
		{DefaultConfig(), "2a09:bac1:100:77::9", "2a09:bac1:100::/48"},
		{Config{EgressV4Bits: 16, EgressV6Bits: 56}, "81.2.69.160", "81.2.0.0/16"},
		{Config{EgressV4Bits: 16, EgressV6Bits: 56}, "2a09:bac1:100:77::9", "2a09:bac1:100::/56"},
		{Config{}, "81.2.69.160", "81.2.69.0/24"}, // zero prefix lengths take the defaults
	} {
		if got := tt.cfg.Prefix(tt.cfg.netOf(netip.MustParseAddr(tt.ip))).String(); got != tt.want {
			t.Errorf("%+v %s: %s, want %s", tt.cfg, tt.ip, got, tt.want)
		}
	}
	c := DefaultConfig()
	if c.netOf(netip.MustParseAddr("81.2.69.160")) == c.netOf(netip.MustParseAddr("::5102:4500")) {
		t.Error("an IPv4 network and an IPv6 network with the same bits share a key")
	}
}

// TestSharedEgress learns an office NAT pool (five users over one /24), a
// shared single address (three users) and a home address (one user), and
// lists what is shared, with the counts impossible travel uses.
func TestSharedEgress(t *testing.T) {
	t.Parallel()
	b := New(DefaultConfig())
	for i := range 5 {
		b.Learn(signin(t0.Add(time.Duration(i)*time.Hour), fmt.Sprintf("office%d@contoso.com", i), fmt.Sprintf("1.144.110.%d", i+1), "AU", event.ResultSuccess))
	}
	for i := range 3 {
		b.Learn(signin(t0.Add(time.Duration(6+i)*time.Hour), fmt.Sprintf("phone%d@contoso.com", i), "172.58.10.1", "US", event.ResultSuccess))
	}
	b.Learn(signin(t0.Add(10*time.Hour), "home@contoso.com", "73.97.1.10", "US", event.ResultSuccess))
	day := t0.Truncate(24 * time.Hour)
	want := []Egress{
		{Prefix: netip.MustParsePrefix("1.144.110.0/24"), Principals: 5, LastSeen: day},
		{Prefix: netip.MustParsePrefix("172.58.10.0/24"), Principals: 3, LastSeen: day},
		{Prefix: netip.MustParsePrefix("172.58.10.1/32"), Principals: 3, LastSeen: day},
	}
	got, ok := b.SharedEgress("contoso", 2)
	if diff := cmp.Diff(want, got, cmp.Comparer(func(x, y netip.Prefix) bool { return x == y })); diff != "" {
		t.Errorf("shared egress (-want +got):\n%s", diff)
	}
	if got, _ := b.SharedEgress("contoso", 4); !ok || len(got) != 1 {
		t.Errorf("min 4: %v, want the office /24 only", got)
	}
	if got, ok := b.SharedEgress("fabrikam", 1); ok || got != nil {
		t.Errorf("unknown tenant: %v %v", got, ok)
	}
	// Past the window the pool is forgotten.
	b.Learn(signin(t0.Add(40*24*time.Hour), "home@contoso.com", "73.97.1.10", "US", event.ResultSuccess))
	b.Prune(t0.Add(40 * 24 * time.Hour))
	if got, ok := b.SharedEgress("contoso", 2); !ok || got == nil || len(got) != 0 {
		t.Errorf("after the window: %v", got)
	}
}

// TestHopsLearnedBetweenPlaces checks what makes a hop: accurately located
// places in different cells; a user's home and office in one city are one
// place; infrastructure carries its operator.
func TestHopsLearnedBetweenPlaces(t *testing.T) {
	t.Parallel()
	b := New(DefaultConfig())
	at := func(h int, ip string, lat, lon float64, n event.Network) *event.Event {
		e := signin(t0.Add(time.Duration(h)*time.Hour), "ana@contoso.com", ip, "US", event.ResultSuccess)
		e.Location.Lat, e.Location.Lon, e.Network = lat, lon, n
		return e
	}
	ms := event.Network{ASN: 8068, Class: event.NetMicrosoft}
	home, office := at(0, "73.97.1.10", 30.27, -97.74, event.Network{ASN: 7922}), at(1, "108.12.70.1", 30.27, -97.74, event.Network{ASN: 701})
	cloudPC := at(2, "20.1.2.3", 33.45, -112.07, ms)
	for _, e := range []*event.Event{home, office, cloudPC, at(3, "73.97.1.10", 30.27, -97.74, event.Network{ASN: 7922}), at(4, "40.94.1.1", 33.45, -112.07, event.Network{ASN: 8075, Class: event.NetMicrosoft})} {
		b.Learn(e)
	}
	tn := b.Tenant("contoso")
	idx, _, _ := tn.Lookup("ana@contoso.com")
	k := HopOf(tn.EndpointOf(home), tn.EndpointOf(cloudPC))
	if tn.EndpointOf(home) != tn.EndpointOf(office) {
		t.Error("home and office in one city are different endpoints")
	}
	if got := tn.UserHopCount(idx, k, Day(t0)); got != 3 {
		t.Errorf("Austin ↔ Cloud PC made %d times, want 3 (office→PC, PC→home, home→PC on another Microsoft AS)", got)
	}
	hosting := at(5, "45.33.1.1", 33.45, -112.07, event.Network{ASN: 63949, Class: event.NetHosting})
	if HopOf(tn.EndpointOf(home), tn.EndpointOf(hosting)) == k {
		t.Error("a hosting provider in the Cloud PC's city is the Cloud PC's endpoint")
	}
	if u := tn.HopUsage(k); u.Count(Day(t0)) != 1 {
		t.Errorf("hop usage counts %d principals, want 1", u.Count(Day(t0)))
	}
}
