package baseline

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vedette/vedette/internal/event"
)

// The organisation's countries are those of the window before its newest
// event, with how many principals used each.
func TestTenantCountries(t *testing.T) {
	b := New(DefaultConfig())
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	learn := func(who, country, ip string, days int) {
		b.Learn(&event.Event{
			Key: who + country + ip, Kind: event.KindSignIn, Time: t0.Add(time.Duration(days) * 24 * time.Hour),
			Tenant: "contoso", Principal: who, SourceIP: netip.MustParseAddr(ip), Result: event.ResultSuccess,
			Interactive: true, PrincipalKind: event.PrincipalUser,
			Location: event.Location{Country: country},
		})
	}
	learn("ann", "BR", "200.1.1.1", 0) // 40 days before the newest event: out of the 30-day window
	learn("ann", "GB", "81.2.69.160", 35)
	learn("bob", "GB", "81.2.69.161", 36)
	learn("cat", "FR", "90.84.1.1", 37)
	learn("bob", "FR", "90.84.1.2", 40)
	got, ok := b.Countries("contoso")
	want := []TenantCountry{
		{Country: "FR", LastSeen: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC), Principals: 2},
		{Country: "GB", LastSeen: time.Date(2026, 11, 6, 0, 0, 0, 0, time.UTC), Principals: 2},
	}
	if !ok {
		t.Fatal("tenant not found")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("countries (-want +got):\n%s", diff)
	}
	if _, ok := b.Countries("fabrikam"); ok {
		t.Error("an unseen tenant has countries")
	}
}
