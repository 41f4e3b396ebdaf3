package netdetect

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/inventory"
)

// logins marks the last k records of recs as successful logins and the
// others as failed ones, as Zeek's ssh.log reports a guessing run that
// ends with the right password.
func logins(recs []flow.Record, k int) []flow.Record {
	for i := range recs {
		recs[i].Auth = flow.AuthFailure
		if i >= len(recs)-k {
			recs[i].Auth = flow.AuthSuccess
		}
	}
	return recs
}

// runRecs feeds recs in time order and flushes.
func runRecs(e *Engine, recs []flow.Record) []event.Alert {
	slices.SortStableFunc(recs, func(a, b flow.Record) int { return a.End.Compare(b.End) })
	var out []event.Alert
	for i := range recs {
		out = append(out, e.Observe(&recs[i])...)
	}
	return append(out, e.Flush()...)
}

func find(as []event.Alert, id string) *event.Alert {
	for i := range as {
		if as[i].Detection == id {
			return &as[i]
		}
	}
	return nil
}

const successID = "ssh-incoming-brute-force-success"

func TestBruteForceSuccess(t *testing.T) {
	t.Parallel()
	attacker := func(n, k int) []flow.Record {
		return logins(conn{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: n}.records(t0), k)
	}
	admin := func(k int, bytes uint64) []flow.Record {
		return logins(conn{src: "203.0.113.7", dst: "10.0.0.4", port: 22, n: k, bytes: bytes}.records(t0), k)
	}
	var botnet []flow.Record
	for i := range 12 {
		recs := conn{src: fmt.Sprintf("192.0.2.%d", i+1), dst: "10.0.0.4", port: 22, n: 5}.records(t0)
		botnet = append(botnet, logins(recs, min(i%3, 1))...) // all but sources 1, 4, 7, 10 log in once
	}
	var botnetIn []string
	for _, i := range []int{2, 3, 5, 6, 8, 9, 11, 12} {
		botnetIn = append(botnetIn, fmt.Sprintf("192.0.2.%d attempts=5 logins=1", i))
	}
	slices.Sort(botnetIn)
	tests := []struct {
		name      string
		recs      []flow.Record
		want      []string // detections raised
		attackers []string // sources named by the success alert, with their evidence result
	}{
		{"one-to-one brute force, attacker logs in", append(attacker(40, 2), admin(1, 0)...),
			[]string{successID, "ssh-incoming-one-to-one"}, []string{"198.51.100.9 attempts=40 logins=2"}},
		{"one-to-one brute force, only an unrelated peer logs in", append(attacker(40, 0), admin(3, 0)...),
			[]string{"ssh-incoming-one-to-one"}, nil},
		{"logins without brute force", append(attacker(20, 1), admin(3, 0)...), nil, nil},
		{"many-to-one, sources that took part log in", botnet,
			[]string{successID, "ssh-incoming-many-to-one"}, botnetIn},
		{"many-to-one, only a session (no attempt) logs in", append(logins(slices.Clone(botnet), 0), admin(1, 500_000)...),
			[]string{"ssh-incoming-many-to-one"}, nil},
		{"rdp: no input carries its outcomes, no rule", logins(conn{src: "198.51.100.9", dst: "10.0.0.4", port: 3389, n: 40}.records(t0), 3),
			[]string{"rdp-incoming-one-to-one"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			as := runRecs(newEngine(t, nil), slices.Clone(tt.recs))
			var got []string
			for _, a := range as {
				got = append(got, a.Detection)
			}
			slices.Sort(got)
			if d := cmp.Diff(got, tt.want); d != "" {
				t.Fatalf("detections (-got +want)\n%s", d)
			}
			a := find(as, successID)
			if a == nil {
				return
			}
			var named []string
			for _, ev := range a.Evidence {
				named = append(named, ev.IP+" "+ev.Result)
			}
			slices.Sort(named)
			if d := cmp.Diff(named, tt.attackers); d != "" {
				t.Errorf("evidence (-got +want)\n%s", d)
			}
			if a.Severity != event.SeverityHigh || a.AlertType != "VM_SshBruteForceSuccess" || a.MITRE.TechniqueID != "T1110" ||
				a.Principal != "web-01" || len(a.Remediation) != 3 || !strings.Contains(a.Description, "logged in") {
				t.Errorf("alert %+v", a)
			}
		})
	}
}

func TestBruteForceSuccessDeterministic(t *testing.T) {
	t.Parallel()
	recs := logins(conn{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}.records(t0), 1)
	a := find(runRecs(newEngine(t, nil), slices.Clone(recs)), successID)
	b := find(runRecs(newEngine(t, nil), slices.Clone(recs)), successID)
	if a == nil || b == nil || a.ID != b.ID || !cmp.Equal(a, b) {
		t.Fatalf("two runs differ: %v / %v", a, b)
	}
	if a.Confidence < 0.9 || len(a.Factors) != 3 {
		t.Errorf("confidence %v factors %+v", a.Confidence, a.Factors)
	}
}

// TestBruteForceSuccessHistory: an hour whose brute force is normal for the
// host (the history rule holds the one-to-one alert back) raises no
// success alert either.
func TestBruteForceSuccessHistory(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	for h := range 25 {
		recs := logins(conn{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}.records(t0.Add(time.Duration(h)*time.Hour)), 1)
		as := runRecs(e, recs)
		if got := find(as, successID) != nil; got != (h < 24) {
			t.Fatalf("hour %d: success alert %v (alerts %v)", h, got, ids(as))
		}
	}
}

func TestBruteForceSuccessConfig(t *testing.T) {
	t.Parallel()
	recs := logins(conn{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}.records(t0), 1)
	off := DefaultConfig()
	off.SSH.IncomingSuccess.Enabled = false
	e, err := New(off, Deps{Inventory: testInventory()})
	if err != nil {
		t.Fatal(err)
	}
	if as := runRecs(e, slices.Clone(recs)); find(as, successID) != nil || len(as) != 1 {
		t.Errorf("disabled: %v", ids(as))
	}
	// A subscription override turns it off for its hosts only.
	inv := testInventory()
	inv.Add(netip.MustParseAddr("10.0.0.6"), inventory.Host{Name: "db-01", Subscription: "sub-2"}, time.Time{}, time.Time{})
	e, err = New(DefaultConfig(), Deps{Inventory: inv, Rules: func(sub string) *Config {
		if sub == "sub-1" {
			return &off
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	both := append(slices.Clone(recs), logins(conn{src: "198.51.100.9", dst: "10.0.0.6", port: 22, n: 40}.records(t0), 1)...)
	if got := ids(runRecs(e, both)); !cmp.Equal(got, []string{"ssh-incoming-brute-force-success@db-01", "ssh-incoming-one-to-one@db-01", "ssh-incoming-one-to-one@web-01"}) {
		t.Errorf("override: %v", got)
	}
	// The brute-force rule it builds on, disabled: nothing to succeed.
	noBF := DefaultConfig()
	noBF.SSH.IncomingOne.Enabled = false
	if e, err = New(noBF, Deps{Inventory: testInventory()}); err != nil {
		t.Fatal(err)
	}
	if as := runRecs(e, slices.Clone(recs)); len(as) != 0 {
		t.Errorf("without an incoming rule: %v", ids(as))
	}
}

// TestSuccessesKeepHeaviest: past successSlots peers, the peers with the
// most attempts are kept and the others' logins counted in More.
func TestSuccessesKeepHeaviest(t *testing.T) {
	t.Parallel()
	tab := newHostTable()
	h := tab.add("", webIP)
	addr := func(i int) [16]byte { return netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}).As16() }
	for i := 1; i <= 20; i++ {
		tab.use(h, chSSHIn).Top.add(addr(i), uint32(i)) // peer i made i attempts
	}
	for i := 1; i <= 20; i++ {
		tab.noteSuccess(h, chSSHIn, addr(i), 1)
	}
	tab.noteSuccess(h, chSSHIn, addr(20), 1)
	v := tab.view(h)
	s := &v.logins().In[authIndex(chSSHIn)]
	var kept []int
	for i := range int(s.N) {
		kept = append(kept, int(s.Addr[i][15]))
	}
	slices.Sort(kept)
	if !cmp.Equal(kept, []int{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}) || s.More != 4 || v.logins().In[authIndex(chRDPIn)].N != 0 {
		t.Errorf("kept %v, more %d", kept, s.More)
	}
	in := intruders(s, v.channel(chSSHIn).Top, held{one: 18})
	if len(in) != 3 || in[0].IP() != netip.MustParseAddr("192.0.2.20") || in[0].loginCount() != ">=2" {
		t.Errorf("intruders at one-to-one 10: %+v", in)
	}
}

// Version 2 snapshots (no HostHour.Auth) still restore: gob matches fields
// by name. These types are State as version 2 wrote it.
type stateV2 struct {
	Version   int
	Watermark int64
	Closed    int64
	Open      []openHourV2
	History   map[string]History
	Env       Env
	Counters  Counters
}

type openHourV2 struct {
	Hour int64
	IP   netip.Addr
	Agg  hostHourV2
}

type hostHourV2 struct {
	Ch       [numChannels]Channel
	Flows    uint32
	Source   string
	Record   int
	LastTime int64
}

func TestSnapshotSuccess(t *testing.T) {
	t.Parallel()
	recs := logins(conn{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}.records(t0), 20)
	want := runRecs(newEngine(t, nil), slices.Clone(recs))
	first := newEngine(t, nil)
	for i := range recs[:30] { // 10 of the logins before the snapshot
		first.Observe(&recs[i])
	}
	second := restored(t, first)
	if got := runRecs(second, recs[30:]); !cmp.Equal(got, want) || find(got, successID) == nil {
		t.Errorf("after restore (-got +want)\n%s", cmp.Diff(got, want))
	}

	ch := hostAt(first, hourStart(t0.UnixMilli()), webIP).export().Ch
	old := stateV2{Version: 2, Watermark: ch[chSSHIn].Last, History: map[string]History{"web-01": {Hours: 3}},
		Open: []openHourV2{{Hour: hourStart(t0.UnixMilli()), IP: webIP, Agg: hostHourV2{Ch: ch, Flows: 30}}}}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&old); err != nil {
		t.Fatal(err)
	}
	third := newEngine(t, nil)
	if err := third.Restore(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	h := hostAt(third, hourStart(t0.UnixMilli()), webIP)
	if h == nil || h.logins() != nil || h.channel(chSSHIn).Attempts != 30 || third.history["web-01"].Hours != 3 {
		t.Fatalf("version 2 restored as %+v", h)
	}
	// The brute force goes on; logins after the restore still count.
	if got := ids(runRecs(third, recs[30:])); !cmp.Equal(got, []string{successID + "@web-01", "ssh-incoming-one-to-one@web-01"}) {
		t.Errorf("after a version 2 restore: %v", got)
	}
}
