package netdetect

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/inventory"
	"github.com/vedette/vedette/internal/ti"
)

var (
	t0     = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	webIP  = netip.MustParseAddr("10.0.0.4")
	jumpIP = netip.MustParseAddr("10.0.0.5")
)

func testInventory() *inventory.Inventory {
	inv := inventory.New(0)
	inv.Add(webIP, inventory.Host{Name: "web-01", Subscription: "sub-1"}, time.Time{}, time.Time{})
	inv.Add(jumpIP, inventory.Host{Name: "jump-01", Subscription: "sub-1"}, time.Time{}, time.Time{})
	return inv
}

// conn is n flows src->dst:port spread over the hour starting at hour.
type conn struct {
	src, dst string
	port     uint16
	n        int
	bytes    uint64
	flags    uint8
	action   flow.Action
	sampling uint32
}

func (c conn) records(hour time.Time) []flow.Record {
	var out []flow.Record
	for i := range c.n {
		at := hour.Add(time.Duration(i) * (50 * time.Minute) / time.Duration(c.n))
		flags := c.flags
		if flags == 0 {
			flags = flow.TCPSyn | flow.TCPAck | flow.TCPFin | 0x08
		}
		b := c.bytes
		if b == 0 {
			b = 3500
		}
		out = append(out, flow.Record{
			Start: at, End: at.Add(2 * time.Second), Src: netip.MustParseAddr(c.src), Dst: netip.MustParseAddr(c.dst),
			SrcPort: uint16(40000 + i%20000), DstPort: c.port, Proto: flow.ProtoTCP, TCPFlags: flags,
			Packets: 20, Bytes: b, Action: c.action, SamplingRate: c.sampling, Source: "udp:192.0.2.250", Index: i + 1,
		})
	}
	return out
}

func many(srcFmt string, k int, dst string, port uint16, each int) []conn {
	var cs []conn
	for i := range k {
		cs = append(cs, conn{src: fmt.Sprintf(srcFmt, i+1), dst: dst, port: port, n: each})
	}
	return cs
}

func fanout(src, dstFmt string, k int, port uint16, each int, flags uint8) []conn {
	var cs []conn
	for i := range k {
		cs = append(cs, conn{src: src, dst: fmt.Sprintf(dstFmt, i+1), port: port, n: each, flags: flags})
	}
	return cs
}

func newEngine(t testing.TB, m ti.Matcher) *Engine {
	t.Helper()
	e, err := New(DefaultConfig(), Deps{Inventory: testInventory(), TI: m})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// restored is a new engine restored from e's snapshot.
func restored(t testing.TB, e *Engine) *Engine {
	t.Helper()
	data, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := newEngine(t, nil)
	if err := r.Restore(data); err != nil {
		t.Fatal(err)
	}
	return r
}

// run feeds the conns' flows of one hour in time order and flushes.
func run(e *Engine, hour time.Time, cs []conn) []event.Alert {
	var recs []flow.Record
	for _, c := range cs {
		recs = append(recs, c.records(hour)...)
	}
	slices.SortStableFunc(recs, func(a, b flow.Record) int { return a.End.Compare(b.End) })
	var out []event.Alert
	for i := range recs {
		out = append(out, e.Observe(&recs[i])...)
	}
	return append(out, e.Flush()...)
}

func ids(as []event.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Detection+"@"+a.Principal)
	}
	slices.Sort(out)
	return out
}

func TestDetections(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		conns []conn
		want  []string
	}{
		{"ssh brute force from one internet source",
			[]conn{{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}},
			[]string{"ssh-incoming-one-to-one@web-01"}},
		{"ssh botnet from many sources",
			many("203.0.113.%d", 30, "10.0.0.4", 22, 3),
			[]string{"ssh-incoming-many-to-one@web-01"}},
		{"rdp brute force from one source and a botnet",
			append(many("203.0.113.%d", 12, "10.0.0.4", 3389, 3), conn{src: "198.51.100.9", dst: "10.0.0.4", port: 3389, n: 25}),
			[]string{"rdp-incoming-many-to-one@web-01", "rdp-incoming-one-to-one@web-01"}},
		{"denied-only inbound from the internet raises nothing",
			[]conn{{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 500, action: flow.ActionDeny}},
			nil},
		{"internet scanner SYN probes raise nothing inbound",
			[]conn{{src: "198.51.100.9", dst: "10.0.0.4", port: 3389, n: 200, flags: flow.TCPSyn}},
			nil},
		{"outgoing rdp to one destination",
			[]conn{{src: "10.0.0.4", dst: "10.0.1.9", port: 3389, n: 25}},
			[]string{"rdp-outgoing-one-to-one@web-01"}},
		{"outgoing rdp sweep of many destinations",
			fanout("10.0.0.4", "10.0.1.%d", 15, 3389, 2, 0),
			[]string{"rdp-outgoing-one-to-many@web-01"}},
		{"outgoing ssh scan with unanswered SYNs",
			fanout("10.0.0.4", "10.0.2.%d", 30, 22, 1, flow.TCPSyn),
			[]string{"ssh-outgoing-one-to-many@web-01"}},
		{"outgoing ssh brute force denied by the firewall still counts",
			[]conn{{src: "10.0.0.4", dst: "192.0.2.77", port: 22, n: 35, action: flow.ActionDeny}},
			[]string{"ssh-outgoing-one-to-one@web-01"}},
		{"backup over ssh: large sessions are not attempts",
			[]conn{{src: "10.0.0.5", dst: "10.0.9.9", port: 22, n: 60, bytes: 50_000_000}},
			nil},
		{"sampled flows are scaled",
			[]conn{{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 4, sampling: 10}},
			[]string{"ssh-incoming-one-to-one@web-01"}},
		{"below thresholds",
			[]conn{{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 10}, {src: "10.0.0.4", dst: "10.0.1.9", port: 3389, n: 5}},
			nil},
		{"unmonitored hosts are ignored",
			[]conn{{src: "198.51.100.9", dst: "10.9.9.9", port: 22, n: 100}},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ids(run(newEngine(t, nil), t0, tt.conns))
			if d := cmp.Diff(got, tt.want); d != "" {
				t.Errorf("alerts (-got +want)\n%s", d)
			}
		})
	}
}

func TestJumpBoxIsNormal(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	// jump-01 logs into 12 servers, 4 times each, every hour, for 30 hours.
	daily := fanout("10.0.0.5", "10.0.3.%d", 12, 22, 4, 0)
	var last []event.Alert
	for h := range 31 {
		last = run(e, t0.Add(time.Duration(h)*time.Hour), daily)
		if h == 0 && len(last) == 0 {
			t.Fatal("first hour without history should alert")
		}
	}
	if len(last) != 0 {
		t.Errorf("jump box alerted after 30 hours of history: %v", ids(last))
	}
	// Ten times its usual reach is still anomalous.
	got := ids(run(e, t0.Add(31*time.Hour), fanout("10.0.0.5", "10.0.%d.1", 200, 22, 2, 0)))
	if !slices.Contains(got, "ssh-outgoing-one-to-many@jump-01") {
		t.Errorf("sweep of 200 servers not raised: %v", got)
	}
}

func TestAlertContent(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	as := run(e, t0, []conn{{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}})
	if len(as) != 1 {
		t.Fatalf("got %d alerts", len(as))
	}
	a := as[0]
	want := event.Alert{
		Detection: "ssh-incoming-one-to-one", Name: "Suspicious incoming SSH network activity",
		AlertType: "SSH_Incoming_BF_OneToOne", Severity: event.SeverityMedium, Subscription: "sub-1", Principal: "web-01",
		MITRE: event.MITRE{Tactic: "Credential Access", Technique: "Brute Force", TechniqueID: "T1110"},
		Entities: []event.Entity{{Type: "host", ID: "web-01"}, {Type: "ip", ID: "10.0.0.4", Role: "host"},
			{Type: "subscription", ID: "sub-1"}, {Type: "ip", ID: "198.51.100.9", Role: "attacker"}},
	}
	opts := cmp.Options{cmpIgnore("ID", "Time", "Confidence", "Factors", "Evidence", "Description", "Remediation")}
	if d := cmp.Diff(a, want, opts); d != "" {
		t.Errorf("(-got +want)\n%s", d)
	}
	if a.Confidence <= 0.3 || a.Confidence >= 1 || len(a.Factors) == 0 || len(a.Remediation) == 0 {
		t.Errorf("confidence %v factors %v", a.Confidence, a.Factors)
	}
	ev := a.Evidence[0]
	if ev.Key != "netagg:ssh-incoming-one-to-one:10.0.0.4:198.51.100.9:1714557600" || ev.Source != "udp:192.0.2.250" || ev.Result != "attempts=40" {
		t.Errorf("evidence %+v", ev)
	}
	if want := "had 40 short SSH connection attempts from 1 sources between 2024-05-01 10:00 and 11:00 UTC"; !contains(a.Description, want) {
		t.Errorf("description %q lacks %q", a.Description, want)
	}
	again := run(newEngine(t, nil), t0, []conn{{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}})
	if again[0].ID != a.ID || a.ID == "" {
		t.Errorf("replay gave ID %q, first %q", again[0].ID, a.ID)
	}
}

func TestC2(t *testing.T) {
	t.Parallel()
	set, err := ti.Parse("feed.txt", []byte("175.45.176.99\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, set)
	as := run(e, t0, []conn{
		{src: "10.0.0.4", dst: "175.45.176.99", port: 443, n: 3},
		{src: "175.45.176.99", dst: "10.0.0.5", port: 22, n: 5, action: flow.ActionDeny}, // denied inbound: not communication
	})
	if got := ids(as); !cmp.Equal(got, []string{"network-communication-with-c2@web-01"}) {
		t.Fatalf("alerts %v", got)
	}
	if a := as[0]; a.Confidence != ti.DefaultConfidence || a.Evidence[0].IP != "175.45.176.99" || !contains(a.Description, "outbound to 175.45.176.99 port 443: 3 flows") {
		t.Errorf("alert %+v", a)
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestSustainedAttackIsNotLearned: a host with a day of quiet history comes
// under a brute force that lasts 30 hours. Every attack hour alerts: hours
// that alerted against an established history are not learned, so the
// attack never becomes the host's normal.
func TestSustainedAttackIsNotLearned(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	quiet := []conn{{src: "10.0.9.9", dst: "10.0.0.4", port: 22, n: 2}}
	for h := range 30 {
		run(e, t0.Add(time.Duration(h)*time.Hour), quiet)
	}
	attack := many("203.0.113.%d", 20, "10.0.0.4", 22, 5)
	for h := 30; h < 60; h++ {
		got := ids(run(e, t0.Add(time.Duration(h)*time.Hour), attack))
		if !slices.Contains(got, "ssh-incoming-many-to-one@web-01") {
			t.Fatalf("attack hour %d raised %v: the attack was learned as normal", h-30, got)
		}
	}
}

// hostAt returns ip's aggregate in the open hour starting at hour (unix s),
// or nil.
func hostAt(e *Engine, hour int64, ip netip.Addr) *hourView {
	o := e.open[hour]
	if o == nil {
		return nil
	}
	h := o.hosts.get("", ip)
	if h == nil {
		return nil
	}
	v := o.hosts.view(h)
	return &v
}
