package baseline

import (
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vedette/vedette/internal/event"
)

func signin(t time.Time, who, ip, cc string, res event.Result) *event.Event {
	return &event.Event{
		Key: fmt.Sprintf("%s-%d", who, t.UnixNano()), Kind: event.KindSignIn, Time: t, Tenant: "contoso",
		Principal: who, PrincipalKind: event.PrincipalUser, SourceIP: netip.MustParseAddr(ip),
		Result: res, Interactive: true,
		Location: event.Location{Country: cc, Lat: 51.5, Lon: -0.12, HasCoord: true, RadiusKm: 25, Source: "record"},
	}
}

var t0 = time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)

func TestUsageCountsDistinctOthersInWindow(t *testing.T) {
	b := New(DefaultConfig())
	ip := "81.2.69.160"
	for i := range 12 {
		// twelve users, one a day; only the last 8 are remembered, which is
		// exact for any threshold up to MaxDistinct
		b.Learn(signin(t0.Add(time.Duration(i)*24*time.Hour), fmt.Sprintf("u%d@contoso.com", i), ip, "GB", event.ResultSuccess))
	}
	tn := b.Tenant("contoso")
	u := tn.IPUsage(netip.MustParseAddr(ip))
	now := t0.Add(11 * 24 * time.Hour)
	idx, _, _ := tn.Lookup("u11@contoso.com")
	tests := []struct {
		name  string
		since uint32
		want  int
	}{
		{"whole history, capped", Day(t0), 7},
		{"last three days", Day(now) - 2, 2},
		{"nobody before today", Day(now) + 1, 0},
	}
	for _, tt := range tests {
		if got := u.Others(idx, tt.since); got != tt.want {
			t.Errorf("%s: Others = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestLearnIgnoresFailuresForPlaces(t *testing.T) {
	b := New(DefaultConfig())
	b.Learn(signin(t0, "megan@contoso.com", "109.88.218.99", "BE", event.ResultSuccess))
	b.Learn(signin(t0.Add(time.Hour), "megan@contoso.com", "136.55.145.135", "US", event.ResultFailure))
	tn := b.Tenant("contoso")
	_, p, ok := tn.Lookup("megan@contoso.com")
	if !ok {
		t.Fatal("principal not learned")
	}
	if p.Fix.IP != netip.MustParseAddr("109.88.218.99") {
		t.Errorf("fix moved to a failed sign-in: %v", p.Fix.IP)
	}
	if p.UsedCountry(CountryOf("US"), 0) || tn.Countries[CountryOf("US")].LastDay != 0 {
		t.Error("a failed sign-in taught a country")
	}
	if p.LastSeen != t0.Add(time.Hour).Unix() || p.LastSuccess != t0.Unix() {
		t.Errorf("LastSeen/LastSuccess = %d/%d", p.LastSeen, p.LastSuccess)
	}
}

func TestPrivateAddressesTeachNothing(t *testing.T) {
	b := New(DefaultConfig())
	for _, ip := range []string{"10.1.2.3", "192.168.1.1", "100.64.1.1", "fd00::1", "2001:db8::1", "127.0.0.1"} {
		b.Learn(signin(t0, "a@contoso.com", ip, "GB", event.ResultSuccess))
	}
	if tn := b.Tenant("contoso"); len(tn.IPs)+len(tn.SoloIPs) != 0 || len(tn.Countries) != 0 {
		t.Errorf("learned %d IPs, %d countries from private addresses", len(tn.IPs)+len(tn.SoloIPs), len(tn.Countries))
	}
}

func TestSeenByWatermark(t *testing.T) {
	b := New(DefaultConfig())
	e1 := signin(t0, "a@contoso.com", "81.2.69.160", "GB", event.ResultSuccess)
	e2 := signin(t0, "b@contoso.com", "81.2.69.161", "GB", event.ResultSuccess)
	b.Learn(e1)
	if !b.Seen(e1) {
		t.Error("the same event is not seen after learning it")
	}
	if b.Seen(e2) {
		t.Error("a new event at the watermark's time is seen")
	}
	older := signin(t0.Add(-time.Second), "c@contoso.com", "81.2.69.162", "GB", event.ResultSuccess)
	if !b.Seen(older) {
		t.Error("an event older than the watermark is not seen")
	}
	other := *older
	other.Kind = event.KindManagement
	if b.Seen(&other) {
		t.Error("watermarks are shared across kinds of log")
	}
}

// restored returns b after a snapshot round trip: what a restart restores.
func restored(t *testing.T, b *Baselines) *Baselines {
	t.Helper()
	data, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	r := New(DefaultConfig())
	if err := r.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSnapshotRoundTrip(t *testing.T) {
	b := New(DefaultConfig())
	for i := range 50 {
		b.Learn(signin(t0.Add(time.Duration(i)*time.Hour), fmt.Sprintf("u%d@contoso.com", i%7), fmt.Sprintf("81.2.69.%d", i), "GB", event.ResultSuccess))
	}
	r := restored(t, b)
	if diff := cmp.Diff(b.tenants, r.tenants, cmp.AllowUnexported(Tenant{}, stringTable{}), cmpopts.IgnoreFields(Tenant{}, "lastName", "lastIndex", "names"), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("restored state differs (-want +got):\n%s", diff)
	}
	if err := r.UnmarshalBinary([]byte("not a snapshot")); err == nil {
		t.Error("garbage accepted as a snapshot")
	}
	// One part per tenant restores the same state.
	b.Learn(signin(t0, "x@fabrikam.com", "81.2.69.200", "GB", event.ResultSuccess))
	b.Tenant("fabrikam")
	parts, err := b.MarshalTenants()
	if err != nil || len(parts) != 2 {
		t.Fatalf("%d parts, %v", len(parts), err)
	}
	p := New(DefaultConfig())
	if err := p.UnmarshalTenants(parts); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b.tenants, p.tenants, cmp.AllowUnexported(Tenant{}, stringTable{}), cmpopts.IgnoreFields(Tenant{}, "lastName", "lastIndex", "names"), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("restored from parts (-want +got):\n%s", diff)
	}
}

func TestPruneForgetsOldUsage(t *testing.T) {
	b := New(DefaultConfig())
	b.Learn(signin(t0, "a@contoso.com", "81.2.69.160", "GB", event.ResultSuccess))
	b.Learn(signin(t0.Add(40*24*time.Hour), "a@contoso.com", "81.2.69.161", "GB", event.ResultSuccess))
	b.Prune(t0.Add(40 * 24 * time.Hour))
	tn := b.Tenant("contoso")
	if tn.IPUsage(netip.MustParseAddr("81.2.69.160")).LastDay != 0 {
		t.Error("IP last used 40 days ago survived pruning")
	}
	if _, _, ok := tn.Lookup("a@contoso.com"); !ok {
		t.Error("pruning forgot a principal")
	}
}

// BenchmarkPrincipalState measures heap bytes per tracked principal. Each
// principal signs in six times from two countries. "own-ips": every
// principal has six IPs of its own, so the tenant's per-IP usage grows with
// it (the worst case); "shared-ips": principals share an office's egress
// pool, so the figure is the principal's own state.
func BenchmarkPrincipalState(b *testing.B) {
	for _, own := range []bool{true, false} {
		name := "shared-ips"
		if own {
			name = "own-ips"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.ReportMetric(bytesPerPrincipal(own), "B/principal")
			}
		})
	}
}

func bytesPerPrincipal(ownIPs bool) float64 {
	const n = 20000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	bl := New(DefaultConfig())
	for i := range n {
		who := fmt.Sprintf("user%05d@contoso.onmicrosoft.com", i)
		for j := range 6 {
			ip := netip.AddrFrom4([4]byte{81, 2, byte(j), byte(i % 16)})
			if ownIPs {
				ip = netip.AddrFrom4([4]byte{81, byte(i >> 8), byte(i), byte(j)})
			}
			cc := "GB"
			if j == 5 {
				cc = "FR"
			}
			e := signin(t0.Add(time.Duration(j)*time.Hour), who, ip.String(), cc, event.ResultSuccess)
			e.Key = fmt.Sprintf("%08x-3bb0-49c1-b47d-974e53cbdf3c", i*8+j)
			bl.Learn(e)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(bl)
	return float64(after.HeapAlloc-before.HeapAlloc) / n
}

// TestWindowStartIsDayOfAdd checks WindowStart's arithmetic against
// Day(now.Add(-window)) across day boundaries, with windows in whole days
// and with odd ones (fractions of a second either way, negative).
func TestWindowStartIsDayOfAdd(t *testing.T) {
	windows := []time.Duration{30 * 24 * time.Hour, 7*24*time.Hour + 1, 36*time.Hour - 999*time.Millisecond, time.Nanosecond, 0, -90 * time.Minute, -time.Nanosecond}
	base := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC) // midnight: a nanosecond back is the day before
	for _, w := range windows {
		b := New(Config{Window: w})
		for _, off := range []time.Duration{0, 1, 999_999_999, time.Second, time.Second + 1, 2 * time.Hour, -3 * time.Second, 1500 * time.Millisecond} {
			now := base.Add(off)
			if got, want := b.WindowStart(now), Day(now.Add(-w)); got != want {
				t.Errorf("window %v at %v: WindowStart = %d, want %d", w, now, got, want)
			}
		}
	}
}
