package pipeline

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/event"
)

// fixedLocator answers from a table: the real databases are tested in
// enrich/geoip; here the question is which answer wins.
type fixedLocator map[netip.Addr]event.Location

func (f fixedLocator) Locate(ip netip.Addr) (event.Location, bool) {
	l, ok := f[ip]
	return l, ok
}

type centres map[string]event.Location

func (c centres) CountryCentre(code string) (event.Location, bool) {
	l, ok := c[code]
	return l, ok
}

var (
	kp     = netip.MustParseAddr("175.45.176.99")
	kpLoc  = event.Location{Country: "KP", City: "Pyongyang", Lat: 39.03, Lon: 125.75, RadiusKm: 50, HasCoord: true, Source: "mmdb"}
	ilCent = event.Location{Country: "IL", Lat: 31.5, Lon: 34.9, RadiusKm: 220, HasCoord: true, Source: "builtin"}
)

func TestLocate(t *testing.T) {
	t.Parallel()
	record := event.Location{Country: "IL", City: "Tel Aviv", Lat: 32.07, Lon: 34.78, RadiusKm: 25, HasCoord: true, Source: "record"}
	tests := []struct {
		name  string
		trust bool
		ip    netip.Addr
		rec   event.Location
		want  event.Location
	}{
		{"record coordinates win when trusted", true, kp, record, record},
		{"IP lookup when the record is not trusted", false, kp, record, kpLoc},
		{"record country only, lookup disagrees: the country's centre", true, kp, event.Location{Country: "IL", City: "Azor"},
			event.Location{Country: "IL", City: "Azor", Lat: 31.5, Lon: 34.9, RadiusKm: 220, HasCoord: true, Source: "builtin"}},
		{"record country only, lookup agrees: the lookup", true, kp, event.Location{Country: "KP"}, kpLoc},
		{"no record location: the lookup", true, kp, event.Location{}, kpLoc},
		{"private address: not located", true, netip.MustParseAddr("10.1.2.3"), event.Location{}, event.Location{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.Default()
			p := New(Options{TrustRecordLocation: tt.trust}, baseline.New(baseline.DefaultConfig()), Deps{
				Locator: fixedLocator{kp: kpLoc}, Countries: centres{"IL": ilCent}, Scoper: cfg.Scopes(),
			})
			e := &event.Event{SourceIP: tt.ip, Location: tt.rec}
			p.locate(e)
			if diff := cmp.Diff(tt.want, e.Location); diff != "" {
				t.Errorf("location (-want +got):\n%s", diff)
			}
		})
	}
}

// countingScoper counts how often the pipeline asks for a scope's detectors.
type countingScoper struct {
	calls int
	ds    []detect.Detector
}

func (c *countingScoper) Detectors(tenant, subscription string) []detect.Detector {
	c.calls++
	return c.ds
}

func TestScopesResolvedOncePerTenantAndSubscription(t *testing.T) {
	t.Parallel()
	it := detect.DefaultImpossibleTravel()
	sc := &countingScoper{ds: []detect.Detector{&it}}
	p := New(Options{}, baseline.New(baseline.DefaultConfig()), Deps{Scoper: sc})
	t0 := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	for i := range 10 {
		sub := "sub-a"
		if i%2 == 1 {
			sub = "sub-b"
		}
		p.Process(&event.Event{Key: string(rune('a' + i)), Kind: event.KindManagement, Time: t0.Add(time.Duration(i) * time.Minute),
			Tenant: "contoso", Subscription: sub, Principal: "alice@contoso.com", Result: event.ResultSuccess})
	}
	if sc.calls != 2 {
		t.Errorf("scoper asked %d times for 2 scopes", sc.calls)
	}
	if got := p.Stats().Processed; got != 10 {
		t.Errorf("processed %d events, want 10", got)
	}
}

// validIntel is threat intelligence whose one indicator is valid from a
// point in event time; the real feeds are tested in internal/ti.
type validIntel struct {
	ip   netip.Addr
	from time.Time
}

func (v validIntel) Match(ip netip.Addr, at time.Time) (detect.IPTag, bool) {
	if ip != v.ip || at.Before(v.from) {
		return detect.IPTag{}, false
	}
	return detect.IPTag{Category: detect.CategoryMalicious, List: "stix-feed", Label: "phishing relay"}, true
}

// TestIntelTagsActivity checks that threat intelligence reaches the
// activity detections, at the event's own time: a sign-in before the
// indicator's validity raises nothing, one after raises
// malicious-ip-activity.
func TestIntelTagsActivity(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	t0 := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	ip := netip.MustParseAddr("45.137.21.9")
	p := New(Options{TrustRecordLocation: true}, baseline.New(cfg.Baseline), Deps{
		Intel: validIntel{ip: ip, from: t0.Add(time.Hour)}, Scoper: cfg.Scopes(),
	})
	var got []string
	for i, at := range []time.Time{t0, t0.Add(25 * time.Hour)} {
		for _, a := range p.Process(&event.Event{Key: string(rune('a' + i)), Kind: event.KindSignIn, Time: at, Tenant: "contoso",
			Principal: "alice@contoso.com", PrincipalKind: event.PrincipalUser, Result: event.ResultSuccess, Interactive: true,
			SourceIP: ip, Operation: "sign-in"}) {
			got = append(got, a.Detection+" "+a.Time.Format(time.RFC3339))
		}
	}
	if diff := cmp.Diff([]string{"malicious-ip-activity 2026-10-02T09:00:00Z"}, got); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
}
