package gen

import (
	"fmt"
	"net/netip"
)

// Attacks that hide from location rules or use credentials directly: an
// adversary-in-the-middle relay in the victim's own country, an attacker
// in a city where colleagues live, a password guessed by brute force, and
// a sign-in from an address on the threat-intelligence list.

// farCity returns a city of country at least km from from, preferring ones
// where at least colleagues users live (when colleagues > 0); nil if none.
func (g *generator) farCity(from *city, country string, km float64, colleagues int) *city {
	living := map[*city]int{}
	for _, u := range g.users {
		living[u.home]++
	}
	var cands []*city
	for _, c := range citiesIn(country) {
		if cityDistance(from, c) >= km && living[c] >= colleagues {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	return cands[g.rng.IntN(len(cands))]
}

// aitmDomestic is a stolen session replayed by a phishing relay rented in
// the victim's own country, far from the victim: country rules stay quiet,
// the relay's network is nobody's.
func (g *generator) aitmDomestic(p *attackPlan) (*attack, error) {
	u := p.victims[0]
	c := g.farCity(u.home, u.home.Country, 1500, 0)
	if c == nil {
		return nil, nil
	}
	p.victim()
	a := g.fast(p, u, c)
	ip, err := g.alloc.addr(c.Country, hosting)
	if err != nil {
		return nil, err
	}
	a.ep, a.dets, a.follow = endpoint{IP: ip, City: c}, []string{DetImpossibleTravel}, 1
	a.scenario = fmt.Sprintf("adversary-in-the-middle relay in the victim's country: session replayed from a hosting address in %s (%s) %s after the user's own sign-in from %s",
		c.Name, ip, a.at.Sub(a.anchorAt).Round(60e9), u.home.Name)
	return a, nil
}

// colleagueCity is an attacker signing in from a residential address in a
// city where at least three colleagues live.
func (g *generator) colleagueCity(p *attackPlan) (*attack, error) {
	u := p.victims[0]
	c := g.farCity(u.home, u.home.Country, 1500, 3)
	if c == nil {
		return nil, nil
	}
	p.victim()
	a := g.fast(p, u, c)
	ip, err := g.alloc.addr(c.Country, residential)
	if err != nil {
		return nil, err
	}
	a.ep, a.dets = endpoint{IP: ip, City: c}, []string{DetImpossibleTravel}
	a.scenario = fmt.Sprintf("attacker in a city where colleagues live: residential address in %s (%s) %s after the user's own sign-in from %s",
		c.Name, ip, a.at.Sub(a.anchorAt).Round(60e9), u.home.Name)
	return a, nil
}

// bruteForce guesses the victim's password from a hosting address in the
// home country's data-centre city, with the victim inactive long enough
// that no travel is implied.
func (g *generator) bruteForce(p *attackPlan) (*attack, error) {
	u := p.victim()
	c := dcCity(u.home.Country)
	a := g.slow(p, u, c, false, 2+g.rng.Float64()*3)
	ip, err := g.alloc.addr(c.Country, hosting)
	if err != nil {
		return nil, err
	}
	a.ep, a.dets, a.failures = endpoint{IP: ip, City: c}, []string{DetBruteForce}, 12+g.rng.IntN(20)
	a.scenario = fmt.Sprintf("brute force that worked: %d wrong passwords from %s (%s), then a successful sign-in", a.failures, ip, c.Name)
	return a, nil
}

// threatIntel signs in with stolen credentials from an address on the
// organisation's threat-intelligence list, in the home country.
func (g *generator) threatIntel(p *attackPlan) (*attack, error) {
	u := p.victim()
	c := dcCity(u.home.Country)
	a := g.slow(p, u, c, false, 13+g.rng.Float64()*4)
	ip, err := g.alloc.addr(c.Country, hosting)
	if err != nil {
		return nil, err
	}
	g.net.intel = append(g.net.intel, ip)
	a.ep, a.dets = endpoint{IP: ip, City: c}, []string{DetMaliciousIP}
	a.scenario = fmt.Sprintf("sign-in from %s (%s), an address on the threat-intelligence list", ip, c.Name)
	return a, nil
}

// intelLines is the threat-intelligence list: the attackers' addresses
// among documentation-range decoys.
func (n *network) intelLines() []string {
	lines := []string{"# threat intelligence: known phishing relays and C2", "192.0.2.44", "198.51.100.0/28"}
	for _, ip := range n.intel {
		lines = append(lines, netip.PrefixFrom(ip, 32).String()+" # AitM phishing relay")
	}
	return lines
}
