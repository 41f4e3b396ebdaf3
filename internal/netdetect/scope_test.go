package netdetect

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/inventory"
	"github.com/vedette/vedette/internal/ti"
)

// scopedInventory holds one host in each of two subscriptions and one
// host without a subscription (a bare monitored address range would be
// the same).
func scopedInventory() *inventory.Inventory {
	inv := inventory.New(0)
	for ip, h := range map[string]inventory.Host{
		"10.1.0.4": {Name: "app-a", Subscription: "sub-a"},
		"10.2.0.4": {Name: "app-b", Subscription: "sub-b"},
		"10.3.0.4": {Name: "app-none"},
	} {
		inv.Add(netip.MustParseAddr(ip), h, time.Time{}, time.Time{})
	}
	return inv
}

// rulesFrom resolves each subscription once, as config's resolver does,
// and records which subscriptions were asked for.
func rulesFrom(t *testing.T, edits map[string]func(*Config), asked map[string]int) func(string) *Config {
	t.Helper()
	cache := map[string]*Config{}
	for sub, edit := range edits {
		c := DefaultConfig()
		edit(&c)
		if err := c.Validate(); err != nil {
			t.Fatalf("rules for %s: %v", sub, err)
		}
		cache[sub] = &c
	}
	return func(sub string) *Config {
		asked[sub]++
		return cache[sub]
	}
}

func TestSubscriptionRules(t *testing.T) {
	t.Parallel()
	feed, err := ti.Parse("feed.txt", []byte("175.45.176.99\n"))
	if err != nil {
		t.Fatal(err)
	}
	// The same brute force against each host: 40 attempts from one source.
	brute := []conn{
		{src: "198.51.100.9", dst: "10.1.0.4", port: 22, n: 40},
		{src: "198.51.100.9", dst: "10.2.0.4", port: 22, n: 40},
		{src: "198.51.100.9", dst: "10.3.0.4", port: 22, n: 40},
	}
	// 15 attempts: under the default 30, over a lowered 10.
	slow := []conn{
		{src: "203.0.113.7", dst: "10.1.0.4", port: 3389, n: 15},
		{src: "203.0.113.7", dst: "10.2.0.4", port: 3389, n: 15},
		{src: "203.0.113.7", dst: "10.3.0.4", port: 3389, n: 15},
	}
	c2 := []conn{
		{src: "10.1.0.4", dst: "175.45.176.99", port: 443, n: 2},
		{src: "10.2.0.4", dst: "175.45.176.99", port: 443, n: 2},
		{src: "10.3.0.4", dst: "175.45.176.99", port: 443, n: 2},
	}
	tests := []struct {
		name   string
		global func(*Config)
		rules  map[string]func(*Config)
		conns  []conn
		want   []string
	}{
		{"no rules: every host alerts", nil, nil, brute, []string{
			"ssh-incoming-one-to-one@app-a", "ssh-incoming-one-to-one@app-b", "ssh-incoming-one-to-one@app-none",
		}},
		{"sub-a disables ssh incoming one-to-one",
			nil,
			map[string]func(*Config){"sub-a": func(c *Config) { c.SSH.IncomingOne.Enabled = false }},
			brute,
			[]string{"ssh-incoming-one-to-one@app-b", "ssh-incoming-one-to-one@app-none"}},
		{"sub-b lowers the rdp threshold to 10",
			nil,
			map[string]func(*Config){"sub-b": func(c *Config) { c.RDP.IncomingOne.MinConns = 10 }},
			slow,
			[]string{"rdp-incoming-one-to-one@app-b"}},
		{"sub-a enables a rule disabled globally",
			func(c *Config) { c.SSH.IncomingOne.Enabled = false },
			map[string]func(*Config){"sub-a": func(c *Config) {}},
			brute,
			[]string{"ssh-incoming-one-to-one@app-a"}},
		{"sub-b turns c2 off",
			nil,
			map[string]func(*Config){"sub-b": func(c *Config) { c.C2 = false }},
			c2,
			[]string{"network-communication-with-c2@app-a", "network-communication-with-c2@app-none"}},
		{"c2 off globally, on for sub-a",
			func(c *Config) { c.C2 = false },
			map[string]func(*Config){"sub-a": func(c *Config) {}},
			c2,
			[]string{"network-communication-with-c2@app-a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := DefaultConfig()
			if tt.global != nil {
				tt.global(&cfg)
			}
			asked := map[string]int{}
			deps := Deps{Inventory: scopedInventory(), TI: feed}
			if tt.rules != nil {
				deps.Rules = rulesFrom(t, tt.rules, asked)
			}
			e, err := New(cfg, deps)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ids(run(e, t0, tt.conns)), tt.want); diff != "" {
				t.Errorf("alerts (-got, +want):\n%s", diff)
			}
			if tt.rules != nil && (asked[""] != 0 || asked["sub-a"] != 1 || asked["sub-b"] != 1) {
				t.Errorf("rules asked %v, want sub-a and sub-b once each (one hour), never \"\"", asked)
			}
		})
	}
}

// TestSubscriptionTopN checks that an alert lists as many peers as its
// host's subscription asks.
func TestSubscriptionTopN(t *testing.T) {
	t.Parallel()
	one := DefaultConfig()
	one.TopN = 1
	e, err := New(DefaultConfig(), Deps{Inventory: scopedInventory(), Rules: func(sub string) *Config {
		if sub == "sub-a" {
			return &one
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	as := run(e, t0, append(many("198.51.100.%d", 12, "10.1.0.4", 22, 5), many("198.51.100.%d", 12, "10.2.0.4", 22, 5)...))
	got := map[string]int{}
	for _, a := range as {
		got[a.Principal] = len(a.Evidence)
	}
	if diff := cmp.Diff(got, map[string]int{"app-a": 1, "app-b": 4}); diff != "" {
		t.Errorf("evidence per host (-got, +want):\n%s", diff)
	}
}

func TestEngineWideDiff(t *testing.T) {
	t.Parallel()
	base := DefaultConfig()
	o := DefaultConfig()
	o.SSH.IncomingOne.MinConns, o.C2, o.TopN, o.AnomalyFactor = 5, false, 2, 10
	if d := base.EngineWideDiff(&o); d != nil {
		t.Errorf("per-host settings reported engine-wide: %v", d)
	}
	o.Grace, o.RDP.Ports, o.SSH.MaxAttemptBytes = time.Minute, []uint16{3389, 3390}, 1
	o.MonitorPrefixes = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	want := []string{"grace", "monitor_prefixes", "ssh.max_attempt_bytes", "rdp.ports"}
	if diff := cmp.Diff(base.EngineWideDiff(&o), want); diff != "" {
		t.Errorf("EngineWideDiff (-got, +want):\n%s", diff)
	}
}
