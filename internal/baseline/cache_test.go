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
// (slot reuse), out-of-order days and pruning.
func TestLearnCacheChangesNothing(t *testing.T) {
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
		e := signin(at, fmt.Sprintf("u%d@contoso.com", who), fmt.Sprintf("81.2.69.%d", k), cc, event.ResultSuccess)
		e.Location.Lat, e.Location.Lon = lat, 0
		e.Location.HasCoord = r.IntN(20) != 0
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

// TestLearnCacheStaleMarks replays the two ways a mark goes stale that a
// random stream rarely reaches: a principal IP slot reused by a late
// record, and usage pruned before a late record of the same use.
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
	for name, steps := range map[string][]step{"slot reused": reuse, "pruned": prune} {
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

type step struct {
	e     *event.Event
	prune time.Time
}

var stateOpts = []cmp.Option{
	cmp.AllowUnexported(Tenant{}), cmpopts.IgnoreFields(Tenant{}, "lastName", "lastIndex"),
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
