package api

import (
	"fmt"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/inventory"
	"github.com/vedette/vedette/internal/netdetect"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// stateEntities answers from baselines and a network engine, as serve does.
type stateEntities struct {
	b   *baseline.Baselines
	eng *netdetect.Engine
}

func (s stateEntities) Principal(tenant, name string) (baseline.PrincipalSummary, bool) {
	return s.b.Summary(tenant, name, nil)
}

func (s stateEntities) SharedEgress(tenant string, min int) ([]baseline.Egress, bool) {
	return s.b.SharedEgress(tenant, min)
}

func (s stateEntities) Host(name string) (netdetect.HostSummary, bool) {
	return s.eng.HostSummary(name)
}

// TestEntitySummaries: a principal's summary (an AWS ARN, with a slash,
// percent-encoded in the path) and an inventory host, over HTTP.
func TestEntitySummaries(t *testing.T) {
	b := baseline.New(baseline.DefaultConfig())
	const arn = "arn:aws:iam::123456789012:user/ops/alice"
	for i, ip := range []string{"81.2.69.160", "81.2.69.161", "90.84.1.1"} {
		at := t0.Add(time.Duration(i) * 26 * time.Hour)
		b.Learn(&event.Event{
			// An IAM user's call, as normalize makes it: countries are
			// learned from interactive activity of users only.
			Key: "k" + ip, Kind: event.KindCloudTrail, Time: at, Tenant: "123456789012", Principal: arn,
			PrincipalKind: event.PrincipalUser, Interactive: true,
			SourceIP: netip.MustParseAddr(ip), Result: event.ResultSuccess, AppName: "aws-cli",
			Location: event.Location{Country: []string{"GB", "GB", "FR"}[i]},
		})
	}
	inv := inventory.New(0)
	inv.Add(netip.MustParseAddr("10.0.0.4"), inventory.Host{Name: "web-01", Subscription: "sub-1"}, time.Time{}, time.Time{})
	eng, err := netdetect.New(netdetect.DefaultConfig(), netdetect.Deps{Inventory: inv})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		e := newEnv(t, open(store.Options{}), stateEntities{b, eng})
		var p baseline.PrincipalSummary
		e.must("viewer", "GET", "/api/v1/principals/123456789012/"+url.PathEscape(arn), nil, &p, 200)
		if p.Principal != arn || len(p.IPs) != 3 || len(p.Countries) != 2 || p.Countries[0].Country != "FR" ||
			len(p.Apps) != 1 || p.Apps[0].App != "aws-cli" || p.UsualHours[6]+p.UsualHours[8]+p.UsualHours[10] != 3 {
			t.Errorf("principal summary: %+v", p)
		}
		e.must("viewer", "GET", "/api/v1/principals/123456789012/nobody", nil, nil, 404)
		var h netdetect.HostSummary
		e.must("viewer", "GET", "/api/v1/hosts/web-01", nil, &h, 200)
		if h.Host != "web-01" || h.Subscription != "sub-1" || len(h.IPs) != 1 || h.IPs[0].IP != "10.0.0.4" {
			t.Errorf("host summary: %+v", h)
		}
		e.must("viewer", "GET", "/api/v1/hosts/db-09", nil, nil, 404)
		e.must("", "GET", "/api/v1/hosts/web-01", nil, nil, 401)
	})
}

// TestTenantEgress: an office NAT pool (four users over one /24, two of
// them also through one address) and a home address are learned; the
// shared egress lists the /24 and the address with their principals, ?min=
// narrows it, an unknown tenant is 404 and a bad ?min= 400.
func TestTenantEgress(t *testing.T) {
	b := baseline.New(baseline.DefaultConfig())
	learn := func(i int, who, ip string) {
		b.Learn(&event.Event{
			Key: fmt.Sprint("e", i), Kind: event.KindSignIn, Time: t0.Add(time.Duration(i) * time.Hour), Tenant: "contoso",
			Principal: who, PrincipalKind: event.PrincipalUser, Interactive: true, Result: event.ResultSuccess,
			SourceIP: netip.MustParseAddr(ip), Location: event.Location{Country: "GB"},
		})
	}
	for i := range 4 {
		learn(i, fmt.Sprintf("user%d@contoso.com", i), fmt.Sprintf("81.2.69.%d", 10+i%3))
	}
	learn(4, "home@contoso.com", "90.84.1.1")
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		e := newEnv(t, open(store.Options{}), stateEntities{b: b})
		type row struct {
			Prefix     string
			Principals int
			LastSeen   time.Time `json:"last_seen"`
		}
		var got struct {
			Tenant string
			Egress []row
		}
		e.must("viewer", "GET", "/api/v1/tenants/contoso/egress", nil, &got, 200)
		day := t0.Truncate(24 * time.Hour)
		want := []row{{"81.2.69.0/24", 4, day}, {"81.2.69.10/32", 2, day}}
		if got.Tenant != "contoso" || fmt.Sprint(got.Egress) != fmt.Sprint(want) {
			t.Errorf("egress %+v, want %+v", got, want)
		}
		e.must("viewer", "GET", "/api/v1/tenants/contoso/egress?min=3", nil, &got, 200)
		if len(got.Egress) != 1 || got.Egress[0].Prefix != "81.2.69.0/24" {
			t.Errorf("min=3: %+v", got.Egress)
		}
		e.must("viewer", "GET", "/api/v1/tenants/contoso/egress?min=5", nil, &got, 200)
		if got.Egress == nil || len(got.Egress) != 0 {
			t.Errorf("min=5: %+v, want an empty list", got.Egress)
		}
		e.must("viewer", "GET", "/api/v1/tenants/fabrikam/egress", nil, nil, 404)
		for _, q := range []string{"x", "0", "-1", "2.5"} {
			e.must("viewer", "GET", "/api/v1/tenants/contoso/egress?min="+q, nil, nil, 400)
		}
		e.must("", "GET", "/api/v1/tenants/contoso/egress", nil, nil, 401)
	})
}

// TestDetectionsListed: every activity and network detection, with the
// activity ones' default parameters.
func TestDetectionsListed(t *testing.T) {
	e := newEnv(t, storetest.Backends()[0].Open(t, store.Options{}), nil)
	var ds []detection
	e.must("viewer", "GET", "/api/v1/detections", nil, &ds, 200)
	byID := map[string]detection{}
	for _, d := range ds {
		byID[d.ID] = d
	}
	it, ok := byID["impossible-travel"]
	if !ok || it.Params["max_speed_kmh"] != float64(900) || it.Severity != "Medium" || it.Tactic == "" {
		t.Errorf("impossible-travel: %+v", it)
	}
	if d, ok := byID["ssh-incoming-many-to-one"]; !ok || d.Kind != "network" {
		t.Errorf("ssh-incoming-many-to-one: %+v", d)
	}
	if len(ds) != len(byID) {
		t.Errorf("%d detections, %d distinct IDs", len(ds), len(byID))
	}
}
