package gen

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/phuslu/iploc"
)

// attack is one injected malicious sign-in and the alerts it must raise.
type attack struct {
	victim   *user
	at       time.Time
	ep       endpoint
	dets     []string
	scenario string
	anchor   *endpoint // the victim's own sign-in just before, for fast attacks
	anchorAt time.Time
	dev      *device
	follow   int // further sign-ins of the attacker from the same address
	failures int // wrong passwords from the same address just before
}

// Countries and cities attackers come from. infrequentCountries are used by
// nobody in the organisation; travelCities are in countries it uses, at
// places none of its people go.
var (
	infrequentCountries = []string{"KP", "IR", "NG", "VN", "RO", "BY", "KZ", "PK", "ID", "EG", "UA",
		"CO", "AR", "PE", "VE", "KE", "GH", "MA", "BD", "UZ", "TH", "PH", "TR", "ZA", "MY", "BG", "RS", "GE", "LK", "DZ"}
	travelCities = []string{"Manchester", "Hamburg", "Mumbai", "Lyon", "Osaka", "Guadalajara", "Barcelona",
		"Rotterdam", "Cork", "Glasgow", "Cologne", "Stuttgart", "Marseille", "Hyderabad", "Chennai", "Nagoya",
		"Seville", "Monterrey", "Munich", "Edinburgh", "Birmingham", "Calgary"}
)

// attackPlan is the state of attack planning.
type attackPlan struct {
	victims   []*user
	countries []string // infrequent countries left
	cities    []*city  // travel-attack cities left
	used      map[string]bool
	days      []int
}

// planAttacks chooses victims, times and origins, and keeps the victims'
// own interactive sign-ins clear of the attacks so that each attack raises
// exactly the alerts its labels name.
func (g *generator) planAttacks() error {
	per := max(2, min(20, g.cfg.Users*(g.cfg.Days-9)/330))
	fastIC := max(1, per*2/5)
	p := g.newAttackPlan()
	kinds := slices.Repeat([]func(*attackPlan) (*attack, error){g.fastInfrequent}, fastIC)
	kinds = append(kinds, slices.Repeat([]func(*attackPlan) (*attack, error){g.fastTravel, g.slowInfrequent}, per-fastIC)...)
	kinds = append(kinds, slices.Repeat([]func(*attackPlan) (*attack, error){g.anonymous}, per)...)
	kinds = append(kinds, slices.Repeat([]func(*attackPlan) (*attack, error){g.aitmDomestic, g.colleagueCity, g.bruteForce, g.threatIntel}, max(1, per/4))...)
	for _, k := range kinds {
		if len(p.victims) == 0 {
			break
		}
		a, err := k(p)
		if err != nil {
			return err
		}
		if a != nil {
			g.attacks = append(g.attacks, a)
		}
	}
	return nil
}

func (g *generator) newAttackPlan() *attackPlan {
	p := &attackPlan{used: map[string]bool{}}
	for _, u := range g.users {
		p.used[u.home.Country] = true
		if u.traits&^(tHybrid|tRemote) == 0 && u.home.Country == g.cfg.HomeCountry {
			p.victims = append(p.victims, u)
		}
	}
	g.rng.Shuffle(len(p.victims), func(i, j int) { p.victims[i], p.victims[j] = p.victims[j], p.victims[i] })
	for _, c := range infrequentCountries {
		if !p.used[c] {
			p.countries = append(p.countries, c)
		}
	}
	g.rng.Shuffle(len(p.countries), func(i, j int) { p.countries[i], p.countries[j] = p.countries[j], p.countries[i] })
	for _, name := range travelCities {
		if c := cityNamed(name); p.used[c.Country] && !g.cityUsed(c) {
			p.cities = append(p.cities, c)
		}
	}
	g.rng.Shuffle(len(p.cities), func(i, j int) { p.cities[i], p.cities[j] = p.cities[j], p.cities[i] })
	for d := 8; d <= g.cfg.Days-2; d++ {
		p.days = append(p.days, d)
	}
	return p
}

// cityUsed reports whether any of the organisation's people or shared
// services is ever located at c.
func (g *generator) cityUsed(c *city) bool {
	for _, u := range g.users {
		if u.home == c {
			return true
		}
		for _, t := range u.trips {
			if t.dest == c {
				return true
			}
		}
	}
	for _, pool := range g.net.carriers {
		for _, e := range pool {
			if e.City == c {
				return true
			}
		}
	}
	for _, e := range g.net.vpnNodes {
		if e.City == c {
			return true
		}
	}
	return c == g.net.commExit[0].City || c == g.net.sync[0].City
}

func (p *attackPlan) victim() *user {
	u := p.victims[0]
	p.victims = p.victims[1:]
	u.victim = true
	return u
}

// day picks an attack day, preferring weekends when weekend is set.
func (g *generator) attackDay(p *attackPlan, weekend bool) int {
	var pick []int
	for _, d := range p.days {
		if g.workday(d) != weekend {
			pick = append(pick, d)
		}
	}
	if len(pick) == 0 {
		pick = p.days
	}
	return pick[g.rng.IntN(len(pick))]
}

// fast places the attack minutes to hours after the victim's own sign-in
// from home: too soon for any flight. The victim stays silent until a
// flight back would have been possible, so only the attack is impossible.
func (g *generator) fast(p *attackPlan, u *user, c *city) *attack {
	d := g.attackDay(p, false)
	anchorAt := g.localTime(u.home, d, 9+g.rng.Float64()*6)
	km := cityDistance(u.home, c)
	maxDelay := min(3*time.Hour, time.Duration(km/2000*float64(time.Hour)))
	delay := 5*time.Minute + time.Duration(g.rng.Int64N(int64(maxDelay-5*time.Minute)))
	at := anchorAt.Add(delay)
	need := hoursDur(minTravelHours(km))
	u.quiet = append(u.quiet, span{anchorAt.Add(-time.Second), at.Add(need + time.Hour)})
	anchor := u.homeIP
	return &attack{victim: u, at: at, anchor: &anchor, anchorAt: anchorAt, dev: attackerDevice}
}

// slow places the attack where the victim has been silent long enough for a
// flight in either direction: only the country (or the address) is unusual.
func (g *generator) slow(p *attackPlan, u *user, c *city, weekend bool, hour float64) *attack {
	d := g.attackDay(p, weekend)
	at := g.localTime(u.home, d, hour)
	need := hoursDur(minTravelHours(cityDistance(u.home, c))) + time.Hour
	u.quiet = append(u.quiet, span{at.Add(-need), at.Add(need)})
	return &attack{victim: u, at: at, dev: attackerDevice}
}

func hoursDur(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

func (g *generator) fastTravel(p *attackPlan) (*attack, error) {
	u := p.victim()
	var c *city
	for i, x := range p.cities {
		if cityDistance(u.home, x) >= 3000 {
			c = x
			p.cities = slices.Delete(p.cities, i, i+1)
			break
		}
	}
	if c == nil {
		return nil, nil
	}
	a := g.fast(p, u, c)
	ip, err := g.alloc.addr(c.Country, []netKind{residential, hosting}[g.rng.IntN(2)])
	if err != nil {
		return nil, err
	}
	a.ep, a.dets, a.follow = endpoint{IP: ip, City: c}, []string{DetImpossibleTravel}, 1+g.rng.IntN(2)
	a.scenario = fmt.Sprintf("account takeover: sign-in from %s, %s (%s) %s after the user's own sign-in from %s, %s; %.0f km needs at least %.1f h",
		c.Name, c.Country, ip, a.at.Sub(a.anchorAt).Round(time.Minute), u.home.Name, u.home.Country,
		cityDistance(u.home, c), minTravelHours(cityDistance(u.home, c)))
	return a, nil
}

// infrequentOrigin takes the next country nobody in the organisation uses;
// each is used by one attack only, as the second would no longer be rare.
func (g *generator) infrequentOrigin(p *attackPlan) *city {
	if len(p.countries) == 0 {
		return nil
	}
	c := capitalOf(p.countries[0])
	p.countries = p.countries[1:]
	return c
}

func (g *generator) fastInfrequent(p *attackPlan) (*attack, error) {
	c := g.infrequentOrigin(p)
	if c == nil {
		return nil, nil
	}
	u := p.victim()
	a := g.fast(p, u, c)
	ip, err := g.alloc.addr(c.Country, residential)
	if err != nil {
		return nil, err
	}
	a.ep, a.dets = endpoint{IP: ip, City: c}, []string{DetImpossibleTravel, DetInfrequentCountry}
	a.scenario = fmt.Sprintf("account takeover from %s, %s (%s), a country no one in the organisation uses, %s after the user's own sign-in from %s, %s; %.0f km",
		c.Name, c.Country, ip, a.at.Sub(a.anchorAt).Round(time.Minute), u.home.Name, u.home.Country, cityDistance(u.home, c))
	return a, nil
}

func (g *generator) slowInfrequent(p *attackPlan) (*attack, error) {
	c := g.infrequentOrigin(p)
	if c == nil {
		return nil, nil
	}
	u := p.victim()
	a := g.slow(p, u, c, true, 11+g.rng.Float64()*4)
	ip, err := g.alloc.addr(c.Country, residential)
	if err != nil {
		return nil, err
	}
	a.ep, a.dets = endpoint{IP: ip, City: c}, []string{DetInfrequentCountry}
	a.scenario = fmt.Sprintf("stolen credentials used from %s, %s (%s), a country no one in the organisation uses; the user was inactive long enough to have flown there",
		c.Name, c.Country, ip)
	return a, nil
}

// anonymous signs in through a Tor exit or an anonymising proxy nobody else
// in the organisation uses, at night, from the victim's own country when the
// lists have one there.
func (g *generator) anonymous(p *attackPlan) (*attack, error) {
	u := p.victim()
	ip, kind := g.anonAddress(p, u.home.Country, g.rng.IntN(3) > 0)
	if !ip.IsValid() {
		return nil, nil
	}
	c := dcCity(countryOf(ip))
	a := g.slow(p, u, c, false, 1+g.rng.Float64()*3)
	a.ep, a.dets, a.dev = endpoint{IP: ip, City: c}, []string{DetAnonymousIP}, torDevice
	a.scenario = fmt.Sprintf("sign-in through %s %s (%s, %s), used by no one else in the organisation", kind, ip, c.Name, c.Country)
	return a, nil
}

// anonAddress returns a Tor exit (tor) or single-address proxy that no one
// uses yet, preferably in country.
func (g *generator) anonAddress(p *attackPlan, country string, tor bool) (netip.Addr, string) {
	var cands []netip.Addr
	kind := "Tor exit node"
	if tor {
		cands = g.net.tor
	} else {
		kind = "anonymising proxy"
		for _, l := range g.net.proxies {
			if l.Net.Bits() == 32 {
				cands = append(cands, l.Net.Addr())
			}
		}
	}
	for _, same := range []bool{true, false} {
		for _, ip := range cands {
			c := countryOf(ip)
			if g.anonUsed[ip] || (same && c != country) || (!same && !p.used[c]) || dcCity(c) == nil {
				continue
			}
			g.anonUsed[ip] = true
			return ip, kind
		}
	}
	return netip.Addr{}, ""
}

func countryOf(ip netip.Addr) string { return iploc.IPCountry(ip) }

// emitAttacks writes the attack sign-ins (and the victims' anchoring own
// sign-ins) and records the labels.
func (g *generator) emitAttacks() {
	for _, a := range g.attacks {
		u := a.victim
		if a.anchor != nil {
			g.emit(g.rng, signIn{u: u, t: a.anchorAt, ep: *a.anchor, app: appOWA, dev: u.device, interactive: true})
		}
		for i := range a.failures {
			ft := a.at.Add(-time.Duration(a.failures-i) * 20 * time.Second)
			g.emit(g.rng, signIn{u: u, t: ft, ep: a.ep, app: appOfficeHome, dev: a.dev, interactive: true, code: 50126})
		}
		id, t := g.emit(g.rng, signIn{u: u, t: a.at, ep: a.ep, app: appOfficeHome, dev: a.dev, interactive: true})
		for i := range a.follow {
			ft := a.at.Add(time.Duration(2+i*6) * time.Minute)
			g.emit(g.rng, signIn{u: u, t: ft, ep: a.ep, app: appOWA, dev: a.dev, interactive: true})
		}
		for _, det := range a.dets {
			g.labels = append(g.labels, Label{Detection: det, Principal: u.upn, Time: t, Key: id, Scenario: a.scenario})
		}
	}
}
