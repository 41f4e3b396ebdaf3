package netdetect

import (
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/inventory"
)

func cmpIgnore(fields ...string) cmp.Option { return cmpopts.IgnoreFields(event.Alert{}, fields...) }

func TestWatermarkClosesHours(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	recs := conn{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}.records(t0)
	for i := range recs {
		if as := e.Observe(&recs[i]); len(as) != 0 {
			t.Fatal("alert before the hour closed")
		}
	}
	// Within the grace period: still open.
	late := conn{src: "192.0.2.1", dst: "10.0.0.4", port: 443, n: 1}.records(t0.Add(time.Hour + 4*time.Minute))
	if as := e.Observe(&late[0]); len(as) != 0 {
		t.Fatal("hour closed inside grace")
	}
	after := conn{src: "192.0.2.1", dst: "10.0.0.4", port: 443, n: 1}.records(t0.Add(time.Hour + 6*time.Minute))
	if as := e.Observe(&after[0]); len(as) != 1 {
		t.Fatalf("got %d alerts when the watermark passed end+grace", len(as))
	}
	if as := e.Observe(&recs[0]); len(as) != 0 || e.Counters().Late != 1 {
		t.Errorf("late record: counters %+v", e.Counters())
	}
}

func TestOneHourRule(t *testing.T) {
	t.Parallel()
	inv := inventory.New(0)
	vm := netip.MustParseAddr("10.5.16.4")
	e, err := New(DefaultConfig(), Deps{Inventory: inv})
	if err != nil {
		t.Fatal(err)
	}
	// The NSG log names the NIC from 10:20 only: the IP was not held by it
	// for the entire 10:00 hour, so that hour raises nothing.
	learn := func(at time.Time) {
		r := flow.Record{End: at, Src: vm, Dst: netip.MustParseAddr("192.0.2.1"), SrcPort: 5000, DstPort: 443, Proto: flow.ProtoTCP,
			Direction: flow.DirectionOut, Action: flow.ActionAllow, State: flow.StateBegin, MAC: "000D3AF87856", Resource: "/subscriptions/s/x"}
		e.Observe(&r)
	}
	learn(t0.Add(20 * time.Minute))
	bf := conn{src: "198.51.100.9", dst: "10.5.16.4", port: 22, n: 40}
	if as := run(e, t0, []conn{bf}); len(as) != 0 || e.Counters().NotHeld != 1 {
		t.Fatalf("alerted on a partially held hour: %v %+v", ids(as), e.Counters())
	}
	// Seen through all of 11:00-12:00: alert, naming the NIC.
	for m := 0; m <= 68; m += 4 { // 10:55 to 12:03, inside the grace period
		learn(t0.Add(time.Hour + time.Duration(m)*time.Minute - 5*time.Minute))
	}
	as := run(e, t0.Add(time.Hour), []conn{bf})
	if got := ids(as); !cmp.Equal(got, []string{"ssh-incoming-one-to-one@nic-000d3af87856"}) {
		t.Errorf("alerts %v", got)
	}
}

func TestSnapshotRestore(t *testing.T) {
	t.Parallel()
	recs := append(conn{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}.records(t0),
		conn{src: "10.0.0.4", dst: "10.0.1.9", port: 3389, n: 25}.records(t0)...)
	straight := newEngine(t, nil)
	var want []event.Alert
	for i := range recs {
		want = append(want, straight.Observe(&recs[i])...)
	}
	want = append(want, straight.Flush()...)

	first := newEngine(t, nil)
	for i := range recs[:30] {
		first.Observe(&recs[i])
	}
	second := restored(t, first)
	var got []event.Alert
	for i := range recs[30:] {
		got = append(got, second.Observe(&recs[30+i])...)
	}
	got = append(got, second.Flush()...)
	if d := cmp.Diff(got, want); d != "" || len(got) != 2 {
		t.Errorf("after restore (-got +want)\n%s", d)
	}
	if err := second.Restore([]byte("garbage")); err == nil {
		t.Error("garbage restored")
	}
}

func TestDistinct(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 8, 9, 25, 100, 400, 1000} {
		var d Distinct
		for i := range n {
			a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).As16()
			d.Add(hashAddr(a))
			d.Add(hashAddr(a)) // duplicates do not count
		}
		got := float64(d.Count())
		if tol := math.Max(1, 0.15*float64(n)); math.Abs(got-float64(n)) > tol || (n <= exactPeers && got != float64(n)) {
			t.Errorf("Count of %d distinct = %v", n, got)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	mut := map[string]func(*Config){
		"grace":  func(c *Config) { c.Grace = 2 * time.Hour },
		"hosts":  func(c *Config) { c.MaxHosts = 0 },
		"huge":   func(c *Config) { c.MaxHosts = maxTableHosts + 1 },
		"factor": func(c *Config) { c.AnomalyFactor = 0.5 },
		"topn":   func(c *Config) { c.TopN = 99 },
		"rule":   func(c *Config) { c.SSH.IncomingOne.MinConns = 0 },
		"bytes":  func(c *Config) { c.RDP.MaxAttemptBytes = 0 },
	}
	for name, m := range mut {
		c := DefaultConfig()
		m(&c)
		if _, err := New(c, Deps{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c := DefaultConfig()
	c.RDP.Ports = []uint16{22}
	if _, err := New(c, Deps{}); err == nil {
		t.Error("overlapping ports accepted")
	}
}
