package gen

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// TestPlanLargePopulations plans (without writing) the populations that
// once panicked in planTrips: a traveller whose first booking found no
// destination or no return inside the month had no trip to follow.
func TestPlanLargePopulations(t *testing.T) {
	for _, users := range []int{2000, 10000} {
		cfg := DefaultConfig()
		cfg.Users = users
		cfg.Start = cfg.Start.UTC()
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		g := &generator{
			cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
			end: cfg.Start.AddDate(0, 0, cfg.Days), anonUsed: map[netip.Addr]bool{},
		}
		g.alloc = newAllocator(g.rng)
		if err := g.plan(); err != nil {
			t.Fatalf("users %d: %v", users, err)
		}
		trips := 0
		for _, u := range g.users {
			trips += len(u.trips)
			for _, tr := range u.trips {
				if !tr.out.arr.After(tr.out.dep) || !tr.back.dep.After(tr.out.arr) || !tr.back.arr.Before(g.end) {
					t.Fatalf("users %d: trip %v..%v outside its month or out of order", users, tr.out.dep, tr.back.arr)
				}
			}
		}
		if trips == 0 {
			t.Fatalf("users %d: no trips planned", users)
		}
	}
}
