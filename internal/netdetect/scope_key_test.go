package netdetect

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/inventory"
)

// TestSamePrivateAddressInTwoSubscriptions: 10.0.0.4 is a VM in each of
// two subscriptions (VNets reuse private ranges). Their NSG flow logs say
// which subscription each tuple belongs to, so they are two hosts, both
// held for the hour: a brute force against one raises its alert, naming
// its NIC, and the other's quiet traffic is not mixed in. Before, the two
// NICs alternated on one address and neither hour was held.
func TestSamePrivateAddressInTwoSubscriptions(t *testing.T) {
	t.Parallel()
	e, err := New(DefaultConfig(), Deps{Inventory: inventory.New(0)})
	if err != nil {
		t.Fatal(err)
	}
	vm := netip.MustParseAddr("10.0.0.4")
	subs := map[string]string{ // MAC -> resource
		"000D3A00000A": "/SUBSCRIPTIONS/AAAAAAAA-0000-0000-0000-000000000001/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG-A",
		"000D3A00000B": "/SUBSCRIPTIONS/BBBBBBBB-0000-0000-0000-000000000002/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG-B",
	}
	var recs []flow.Record
	for mac, res := range subs {
		// Each NIC talks out every 4 minutes from 09:55 to 11:03.
		for m := -5; m <= 63; m += 4 {
			at := t0.Add(time.Duration(m) * time.Minute)
			recs = append(recs, flow.Record{End: at, Start: at, Src: vm, Dst: netip.MustParseAddr("192.0.2.1"), SrcPort: 5000, DstPort: 443,
				Proto: flow.ProtoTCP, Direction: flow.DirectionOut, Action: flow.ActionAllow, State: flow.StateBegin, MAC: mac, Resource: res})
		}
	}
	// 40 SSH attempts against subscription A's VM, logged by its NSG.
	for _, r := range (conn{src: "198.51.100.9", dst: "10.0.0.4", port: 22, n: 40}).records(t0) {
		r.MAC, r.Resource, r.Direction = "000D3A00000A", subs["000D3A00000A"], flow.DirectionIn
		recs = append(recs, r)
	}
	slices.SortStableFunc(recs, func(a, b flow.Record) int { return a.End.Compare(b.End) })
	var as []event.Alert
	for i := range recs {
		as = append(as, e.Observe(&recs[i])...)
	}
	as = append(as, e.Flush()...)
	if got := ids(as); !cmp.Equal(got, []string{"ssh-incoming-one-to-one@nic-000d3a00000a"}) {
		t.Fatalf("alerts %v, counters %+v", got, e.Counters())
	}
	if a := as[0]; a.Subscription != "aaaaaaaa-0000-0000-0000-000000000001" {
		t.Errorf("alert subscription %q", a.Subscription)
	}

	// The state survives a snapshot with both hosts' scopes.
	data, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := New(DefaultConfig(), Deps{Inventory: inventory.New(0)})
	if err := again.Restore(data); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"aaaaaaaa-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002"} {
		if h, ok := again.inv.HeldForHourIn(sub, vm, t0); !ok || h.Subscription != sub {
			t.Errorf("restored inventory: %s holds %v (%v)", sub, h, ok)
		}
	}
}
