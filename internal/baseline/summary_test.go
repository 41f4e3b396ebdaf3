package baseline

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

// TestSummary: a principal's countries, IPs and apps of the window (older
// ones left out, newest first), its usual hours, survives a snapshot, and
// is found case-insensitively.
func TestSummary(t *testing.T) {
	b := New(DefaultConfig())
	day := 24 * time.Hour
	learn := func(at time.Time, ip, cc, app string, res event.Result) {
		e := signin(at, "alice@contoso.com", ip, cc, res)
		e.AppName = app
		b.Learn(e)
	}
	learn(t0, "203.0.113.9", "US", "Old Portal", event.ResultSuccess) // 40 days before the last: out of the window
	start := t0.Add(40 * day)
	learn(start, "81.2.69.160", "GB", "Azure Portal", event.ResultSuccess)
	learn(start.Add(time.Hour), "81.2.69.160", "GB", "Azure Portal", event.ResultSuccess)
	learn(start.Add(day+2*time.Hour), "90.84.1.1", "FR", "Microsoft Teams", event.ResultSuccess)
	learn(start.Add(day+3*time.Hour), "198.51.100.7", "DE", "Evil App", event.ResultFailure) // failures teach no place

	// A restart restores the state the summary reads.
	r := restored(t, b)
	country := func(ip netip.Addr) string { return "geo:" + ip.String() }
	got, ok := r.Summary("contoso", "ALICE@contoso.com", country)
	if !ok {
		t.Fatal("principal not found")
	}
	d := func(t time.Time) time.Time { return t.Truncate(day) }
	var hours [24]int
	hours[8] = 2 // t0 and start are at 08:00
	hours[9], hours[10], hours[11] = 1, 1, 1
	want := PrincipalSummary{
		Tenant: "contoso", Principal: "alice@contoso.com",
		FirstSeen: t0, LastSeen: start.Add(day + 3*time.Hour), LastSuccess: start.Add(day + 2*time.Hour),
		Countries: []CountryUse{{"FR", d(start.Add(day))}, {"GB", d(start)}},
		IPs: []IPUse{
			{IP: "90.84.1.1", Country: "FR", LastSeen: d(start.Add(day))}, // the last fix's country
			{IP: "81.2.69.160", Country: "geo:81.2.69.160", LastSeen: d(start)},
		},
		Apps:       []AppUse{{"Microsoft Teams", d(start.Add(day))}, {"Azure Portal", d(start)}},
		UsualHours: hours,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if _, ok := r.Summary("contoso", "bob@contoso.com", nil); ok {
		t.Error("unknown principal found")
	}
	if _, ok := r.Summary("fabrikam", "alice@contoso.com", nil); ok {
		t.Error("principal found in the wrong tenant")
	}
}

func TestAppSlotsKeepTheRecent(t *testing.T) {
	b := New(DefaultConfig())
	for i, app := range []string{"a", "b", "c", "d", "e", "a"} {
		e := signin(t0.Add(time.Duration(i)*24*time.Hour), "u@contoso.com", "81.2.69.160", "GB", event.ResultSuccess)
		e.AppName = app
		b.Learn(e)
	}
	s, _ := b.Summary("contoso", "u@contoso.com", nil)
	var got []string
	for _, a := range s.Apps {
		got = append(got, a.App)
	}
	if diff := cmp.Diff([]string{"a", "e", "d", "c"}, got); diff != "" {
		t.Errorf("apps (-want +got):\n%s", diff)
	}
}

// TestAppsKnownByID: ARM activity names the client by ID only, sign-ins by
// ID and name: one app, shown by its name.
func TestAppsKnownByID(t *testing.T) {
	b := New(DefaultConfig())
	const cli = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	arm := signin(t0, "u@contoso.com", "81.2.69.160", "GB", event.ResultSuccess)
	arm.Kind, arm.AppID = event.KindManagement, cli
	b.Learn(arm)
	s, _ := b.Summary("contoso", "u@contoso.com", nil)
	if len(s.Apps) != 1 || s.Apps[0].App != cli {
		t.Fatalf("after ARM: %+v", s.Apps)
	}
	in := signin(t0.Add(time.Hour), "u@contoso.com", "81.2.69.160", "GB", event.ResultSuccess)
	in.AppID, in.AppName = cli, "Microsoft Azure CLI"
	b.Learn(in)
	s, _ = b.Summary("contoso", "u@contoso.com", nil)
	if len(s.Apps) != 1 || s.Apps[0].App != "Microsoft Azure CLI" {
		t.Errorf("after the sign-in: %+v", s.Apps)
	}
}
