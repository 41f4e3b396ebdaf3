package inventory

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/flow"
)

var (
	ip    = netip.MustParseAddr("10.0.0.4")
	hour  = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	web   = Host{Name: "web-01", Subscription: "sub"}
	other = Host{Name: "batch-07", Subscription: "sub"}
)

func TestHeldForHourLearned(t *testing.T) {
	t.Parallel()
	at := func(m int) time.Time { return hour.Add(time.Duration(m) * time.Minute) }
	type obs struct {
		h   Host
		min int
	}
	tests := []struct {
		name string
		obs  []obs
		want bool
	}{
		{"seen before start and after end", []obs{{web, -5}, {web, 30}, {web, 65}}, true},
		{"exactly at start and end", []obs{{web, 0}, {web, 60}}, true},
		{"first seen after start", []obs{{web, 1}, {web, 65}}, false},
		{"not yet seen after end", []obs{{web, -5}, {web, 59}}, false},
		{"changed hands mid hour", []obs{{web, -5}, {other, 30}, {web, 65}}, false},
		{"changed hands before the hour", []obs{{other, -30}, {web, -5}, {web, 65}}, true},
		{"out of order observations", []obs{{web, 65}, {web, -5}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := New(0)
			for _, o := range tt.obs {
				inv.Learn(ip, o.h, at(o.min))
			}
			h, ok := inv.HeldForHour(ip, hour)
			if ok != tt.want || (ok && h != web) {
				t.Errorf("HeldForHour = %v, %v; want %v", h, ok, tt.want)
			}
		})
	}
}

func TestLoadCSV(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "inv.csv")
	csv := "ip,host,subscription,valid_from,valid_to\n# jump box\n10.0.0.4,web-01,SUB\n\n10.0.0.5,jump-01,sub,2024-05-01T10:30:00Z,\n10.0.0.6,old,sub,,2024-05-01T10:59:00Z\n"
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, s := range []string{"10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7"} {
		_, ok := inv.HeldForHour(netip.MustParseAddr(s), hour)
		got[s] = ok
	}
	want := map[string]bool{"10.0.0.4": true, "10.0.0.5": false, "10.0.0.6": false, "10.0.0.7": false}
	if d := cmp.Diff(got, want); d != "" {
		t.Errorf("(-got +want)\n%s", d)
	}
	if h, _ := inv.Lookup(ip, hour); h != web {
		t.Errorf("Lookup = %+v, want lower-cased subscription %+v", h, web)
	}
	// A file mapping is authoritative over learned ones.
	inv.Learn(ip, other, hour)
	if h, _ := inv.Lookup(ip, hour); h != web {
		t.Errorf("learned mapping overrode file: %+v", h)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"10.0.0.1\n", "nope,h\n", "10.0.0.1,h,s,yesterday\n", "10.0.0.1,h,s,,never\n", "1.1.1.1,h,s,,,x\n"} {
		if err := New(0).ReadCSV(strings.NewReader(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.csv")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestLearnRecordAndSnapshot(t *testing.T) {
	t.Parallel()
	inv := New(2)
	r := flow.Record{
		End: hour, Src: netip.MustParseAddr("203.0.113.9"), Dst: ip, Direction: flow.DirectionIn, MAC: "000D3AF87856",
		Resource: "/SUBSCRIPTIONS/AAAA0A0A-BB1B/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG",
	}
	inv.LearnRecord(&r)
	r.End = hour.Add(61 * time.Minute)
	inv.LearnRecord(&r)
	inv.Learn(netip.MustParseAddr("10.0.0.8"), web, hour)
	inv.Learn(netip.MustParseAddr("10.0.0.9"), web, hour) // over the cap of 2
	if inv.Dropped() != 1 {
		t.Errorf("dropped = %d, want 1", inv.Dropped())
	}
	want := Host{Name: "nic-000d3af87856", Subscription: "aaaa0a0a-bb1b", Resource: r.Resource}
	restored := New(0)
	restored.Restore(inv.Snapshot())
	h, ok := restored.HeldForHour(ip, hour)
	if !ok {
		t.Fatal("restored inventory lost the learned mapping")
	}
	if d := cmp.Diff(h, want); d != "" {
		t.Errorf("(-got +want)\n%s", d)
	}
}

func BenchmarkLookup(b *testing.B) {
	inv := New(0)
	for i := range 1000 {
		inv.Add(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), web, time.Time{}, time.Time{})
	}
	b.ReportAllocs()
	for b.Loop() {
		inv.Lookup(ip, hour)
	}
}

// TestScopes: the same private address in two subscriptions is two hosts,
// from the file and learned alike; a lookup naming no subscription gets the
// only one it is known in, and nothing when it is known in two.
func TestScopes(t *testing.T) {
	ip := netip.MustParseAddr("10.0.0.4")
	at := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	inv := New(0)
	if err := inv.ReadCSV(strings.NewReader("10.0.0.4,web-a,sub-a\n10.0.0.4,web-b,SUB-B\n")); err != nil {
		t.Fatal(err)
	}
	for scope, want := range map[string]string{"sub-a": "web-a", "sub-b": "web-b"} {
		if h, ok := inv.HeldForHourIn(scope, ip, at); !ok || h.Name != want {
			t.Errorf("file, %s: %v %v", scope, h, ok)
		}
		if got := inv.Scope(scope, ip); got != scope {
			t.Errorf("Scope(%s) = %q", scope, got)
		}
	}
	if got := inv.Scope("sub-c", ip); got != "sub-c" {
		t.Errorf("a subscription the file does not name kept: %q", got)
	}

	learned := New(0)
	a := Host{Name: "nic-a", Subscription: "sub-a"}
	learned.Learn(ip, a, at.Add(-time.Minute))
	learned.Learn(ip, a, at.Add(61*time.Minute))
	if got := learned.Scope("", ip); got != "sub-a" {
		t.Errorf("unscoped record, one scope: %q", got)
	}
	b := Host{Name: "nic-b", Subscription: "sub-b"}
	for m := -1; m <= 61; m += 2 {
		learned.Learn(ip, b, at.Add(time.Duration(m)*time.Minute))
	}
	for scope, want := range map[string]string{"sub-a": "nic-a", "sub-b": "nic-b"} {
		if h, ok := learned.HeldForHourIn(scope, ip, at); !ok || h.Name != want {
			t.Errorf("learned, %s: %v %v", scope, h, ok)
		}
	}
	if got := learned.Scope("", ip); got != "" {
		t.Errorf("unscoped record, two scopes: %q", got)
	}
	if _, ok := learned.HeldForHour(ip, at); ok {
		t.Error("an address learned in two subscriptions held for an unscoped hour")
	}
}
