package baseline

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vedette/vedette/internal/event"
)

// TestLearnCacheChangesNothing learns one stream twice, once with the
// caches Learn keeps and once with them dropped before every event, and
// wants the same state: marks must only skip work that changes nothing.
// The stream is built to reach every way a mark can go stale: more than
// recentSlots principals on one IP, country and cell (evictions), more
// than principalIPs IPs and principalCountries countries per principal
// (slot reuse), out-of-order days, pruning, and uses without a country or
// a cell next to the same uses with them.
//
// The IPs are in one network, or spread over four: a principal's use is
// then evicted from an IP's usage while its network's still records it.
func TestLearnCacheChangesNothing(t *testing.T) {
	for _, nets := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d networks", nets), func(t *testing.T) { learnCacheChangesNothing(t, nets) })
	}
}

func learnCacheChangesNothing(t *testing.T, nets int) {
	countries := []string{"GB", "FR", "DE", "US", "BE", "NL", "ES", "IT", "PT", "IE", "CH"}
	cached, fresh := New(DefaultConfig()), New(DefaultConfig())
	r := rand.New(rand.NewPCG(1, 2))
	// Each principal has habitual IPs, each IP a habitual place: most uses
	// repeat, as they do in real sign-in logs.
	habits := make([][3]int, 30)
	for i := range habits {
		habits[i] = [3]int{r.IntN(12), r.IntN(12), r.IntN(12)}
	}
	var day time.Time
	for n := range 30000 {
		day = t0.Add(time.Duration(n/500) * 24 * time.Hour)
		at := day.Add(time.Duration(r.IntN(86400)) * time.Second)
		if r.IntN(50) == 0 {
			at = at.Add(-time.Duration(r.IntN(40)) * 24 * time.Hour) // late record
		}
		who := r.IntN(len(habits))
		k := habits[who][r.IntN(3)]
		if r.IntN(5) == 0 {
			k = r.IntN(12)
		}
		cc, lat := countries[k%3], float64(k%4)
		if r.IntN(10) == 0 {
			cc, lat = countries[r.IntN(len(countries))], float64(r.IntN(5))
		}
		e := signin(at, fmt.Sprintf("u%d@contoso.com", who), fmt.Sprintf("81.2.%d.%d", 69+k%nets, k), cc, event.ResultSuccess)
		e.Location.Lat, e.Location.Lon = lat, 0
		e.Location.HasCoord = r.IntN(20) != 0
		// Token refreshes count no country: a use that records less than
		// one a mark vouches for.
		e.Interactive = r.IntN(4) != 0
		e.Key = fmt.Sprintf("k%d", n)
		for _, b := range []*Baselines{cached, fresh} {
			if b == fresh {
				b.caches, b.last, b.lastCache = map[string]*tenantCache{}, nil, nil
			}
			b.Learn(e)
			if n%500 == 499 {
				b.Prune(day.Add(24 * time.Hour))
			}
		}
	}
	if diff := cmp.Diff(fresh.tenants, cached.tenants, stateOpts...); diff != "" {
		t.Errorf("cached learning differs (-fresh +cached):\n%s", diff)
	}
}

// TestLearnCacheStaleMarks replays the ways a mark goes stale that a
// random stream rarely reaches: a principal IP slot reused by a late
// record, usage pruned before a late record of the same use, and the
// principal's use of its cell or country alone evicted by others.
func TestLearnCacheStaleMarks(t *testing.T) {
	const a = "a@contoso.com"
	d := t0
	var reuse []step
	for i := range 8 { // 81.2.69.i in slot i
		reuse = append(reuse, step{e: signin(d, a, fmt.Sprintf("81.2.69.%d", i), "GB", event.ResultSuccess)})
	}
	late := signin(d.Add(-24*time.Hour), a, "81.2.70.1", "FR", event.ResultSuccess)
	late.Location.Lat = 48.8
	reuse = append(reuse,
		step{e: signin(d.Add(time.Minute), a, "81.2.69.0", "GB", event.ResultSuccess)},
		step{e: late}, // takes the slot of 81.2.69.0
		step{e: signin(d.Add(2*time.Minute), a, "81.2.70.1", "GB", event.ResultSuccess)}, // at 81.2.69.0's old place
	)
	prune := []step{
		{e: signin(d, a, "81.2.69.1", "GB", event.ResultSuccess)},
		{prune: d.Add(31 * 24 * time.Hour)},
		{e: signin(d.Add(time.Hour), a, "81.2.69.1", "GB", event.ResultSuccess)},
	}
	for name, steps := range map[string][]step{
		"slot reused": reuse, "pruned": prune,
		"cell evicted":    evictedBy(d, func(e *event.Event) { e.Interactive = false }),
		"country evicted": evictedBy(d, func(e *event.Event) { e.Location.HasCoord = false }),
	} {
		t.Run(name, func(t *testing.T) {
			cached, fresh := New(DefaultConfig()), New(DefaultConfig())
			for _, s := range steps {
				for _, b := range []*Baselines{cached, fresh} {
					if b == fresh {
						b.caches, b.last, b.lastCache = map[string]*tenantCache{}, nil, nil
					}
					if s.e == nil {
						b.Prune(s.prune)
						continue
					}
					b.Learn(s.e)
				}
			}
			if diff := cmp.Diff(fresh.tenants, cached.tenants, stateOpts...); diff != "" {
				t.Errorf("cached learning differs (-fresh +cached):\n%s", diff)
			}
		})
	}
}

// evictedBy is a's located use, one from elsewhere, then recentSlots
// principals on their own networks sharing a's place through others, each
// changed by other (so that they share only its cell or only its
// country), then a's two uses again.
func evictedBy(d time.Time, other func(*event.Event)) []step {
	const a = "a@contoso.com"
	located := func(at time.Time, who, ip, cc string, lat float64) *event.Event {
		e := signin(at, who, ip, cc, event.ResultSuccess)
		e.Location.Lat, e.Location.Lon, e.Location.HasCoord = lat, 0, true
		return e
	}
	steps := []step{{e: located(d, a, "81.2.69.1", "GB", 51.5)}, {e: located(d.Add(time.Second), a, "81.2.70.1", "FR", 48.8)}}
	for i := range recentSlots {
		e := located(d.Add(time.Duration(2+i)*time.Second), fmt.Sprintf("u%d@contoso.com", i), fmt.Sprintf("81.3.%d.1", i), "GB", 51.5)
		other(e)
		steps = append(steps, step{e: e})
	}
	return append(steps,
		step{e: located(d.Add(time.Minute), a, "81.2.69.1", "GB", 51.5)},
		step{e: located(d.Add(2*time.Minute), a, "81.2.70.1", "FR", 48.8)})
}

type step struct {
	e     *event.Event
	prune time.Time
}

var stateOpts = []cmp.Option{
	cmp.AllowUnexported(Tenant{}, stringTable{}), cmpopts.IgnoreFields(Tenant{}, "lastName", "lastIndex", "names"),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
}

func TestResourceHashIsFNV1a(t *testing.T) {
	// Sessions serialize these hashes: they must stay FNV-1a.
	for _, in := range []string{"", "a", "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"} {
		h := fnv.New32a()
		h.Write([]byte(in))
		if got, want := ResourceHash(in), h.Sum32(); got != want {
			t.Errorf("ResourceHash(%q) = %#x, want %#x", in, got, want)
		}
	}
}

// TestLearnCacheSessionResources learns interleaved management operations
// of a few principals, in runs on one resource and switching resources,
// with and without the caches: the remembered resource hashes must give
// the same sessions.
func TestLearnCacheSessionResources(t *testing.T) {
	cached, fresh := New(DefaultConfig()), New(DefaultConfig())
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 3000 {
		at := t0.Add(time.Duration(n) * 20 * time.Second)
		who := fmt.Sprintf("u%d@contoso.com", r.IntN(5))
		res := fmt.Sprintf("/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a%d", r.IntN(6))
		op := []string{"MICROSOFT.STORAGE/STORAGEACCOUNTS/WRITE", "MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION"}[r.IntN(2)]
		e := mgmt(at, who, op, res, event.ResultSuccess, "")
		for _, b := range []*Baselines{cached, fresh} {
			if b == fresh {
				b.caches, b.last, b.lastCache = map[string]*tenantCache{}, nil, nil
			}
			b.Learn(e)
		}
	}
	if diff := cmp.Diff(fresh.tenants, cached.tenants, stateOpts...); diff != "" {
		t.Errorf("cached learning differs (-fresh +cached):\n%s", diff)
	}
}
