package gen

import (
	"math/rand/v2"
	"net/netip"
	"time"
)

// Infrastructure look-alikes of impossible travel that no list declares:
// a SASE provider's large address pool, and Cloud PCs in an Azure region.
// Both make a user "travel" hundreds of kilometres in minutes, every day.

// sasePool is an undeclared secure-access provider's egress: every
// sign-in through it leaves from a random address of one /24 at its point
// of presence.
type sasePool struct {
	Net  netip.Prefix
	City *city
}

// cloudPCCity is where US Cloud PCs run (Azure West US 3), and
// cloudPCRanges the Microsoft ranges their addresses come from.
const cloudPCCity = "Phoenix"

var cloudPCRanges = []string{"20.0.0.0/11", "40.64.0.0/10"}

// buildLookalikes reserves the SASE pool in the home country's data-centre
// city.
func (g *generator) buildLookalikes(n *network) error {
	blk, err := g.alloc.block(g.cfg.HomeCountry, hintsFor(g.cfg.HomeCountry, hosting), 24)
	if err != nil {
		return err
	}
	n.sase = sasePool{Net: blk, City: dcCity(g.cfg.HomeCountry)}
	return nil
}

// saseEndpoint is a random address of the pool.
func (n *network) saseEndpoint(rng *rand.Rand) endpoint {
	return endpoint{IP: nthIn(n.sase.Net, 1+rng.IntN(254)), City: n.sase.City}
}

// equipCloudPC gives a Cloud PC user the addresses their Cloud PC gets on
// successive days.
func (g *generator) equipCloudPC(u *user) error {
	for range 3 {
		ip, err := g.alloc.addrIn("US", cloudPCRanges)
		if err != nil {
			return err
		}
		u.cloudPC = append(u.cloudPC, endpoint{IP: ip, City: cityNamed(cloudPCCity)})
	}
	return nil
}

// lookalikeEndpoint picks a SASE or Cloud PC endpoint for u's sign-in at t,
// if u has one and draws it (r uniform in [0, 1)): SASE from home, the
// Cloud PC after the day's first sign-in, at home or at the office.
func (g *generator) lookalikeEndpoint(u *user, t time.Time, first, officeDay bool, r float64) (endpoint, bool) {
	switch {
	case u.has(tSASE) && !officeDay && r < 0.7:
		return g.net.saseEndpoint(u.rng), true
	case u.has(tCloudPC) && !first && r < 0.8:
		return u.cloudPC[g.dayOf(t)%len(u.cloudPC)], true
	}
	return endpoint{}, false
}
