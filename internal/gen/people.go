package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// trait is one thing that shapes how a user signs in.
type trait uint16

const (
	tHybrid     trait = 1 << iota // works at an office some days, at home others
	tRemote                       // works from home in another city
	tMobile                       // uses a phone on a carrier network
	tVPN                          // corporate cloud VPN, egress possibly abroad
	tCommVPN                      // consumer VPN on the anonymous list
	tAdmin                        // Azure administrator
	tPowerShell                   // administers with Azure PowerShell daily
	tTraveller                    // flies to another site during the month
	tSync                         // a third-party mail app syncs the mailbox
	tOnPrem                       // some sign-ins come through on-prem (RFC 1918)
	tNew                          // joins during the month
	tSASE                         // undeclared SASE provider: a large pool far away
	tCloudPC                      // works on a Cloud PC in an Azure region
)

// span is a half-open time interval.
type span struct{ from, to time.Time }

func (s span) has(t time.Time) bool { return !t.Before(s.from) && t.Before(s.to) }

// user is one member of the organisation.
type user struct {
	idx         int
	name, upn   string
	id          string
	traits      trait
	home        *city
	office      *office // nil when working remotely
	homeIP      endpoint
	onPremIP    endpoint
	carrier     []endpoint
	cloudPC     []endpoint // the Cloud PC's addresses, by day
	vpn         endpoint
	join        int // first active day
	device      *device
	phone       *device
	trips       []*trip
	quiet       []span // no interactive sign-ins (kept clear around attacks)
	rng         *rand.Rand
	victim      bool
	setupOffice *office // new joiners: where IT set the account up
	deviceID    string
	// leaveFrom, leaveTo: days [from, to) the user is away and does
	// nothing at all (leaveTo 0: never).
	leaveFrom, leaveTo int
}

func (u *user) has(t trait) bool { return u.traits&t != 0 }

func (u *user) quietAt(t time.Time) bool {
	for _, s := range u.quiet {
		if s.has(t) {
			return true
		}
	}
	return false
}

var firstNames = strings.Fields(`James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth
William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy
Anthony Betty Mark Sandra Donald Ashley Steven Emily Andrew Kimberly Paul Donna Joshua Michelle
Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Priya Arjun Oliver
Amelia Lukas Hannah Sophie Mateo Yuki Wei Aisha Carlos Lucia Chloe Liam Noah Emma Ava Mia Ethan`)

var lastNames = strings.Fields(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez
Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez
Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott
Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts
Patel Sharma Muller Schmidt Dubois Tanaka Chen Okafor Kowalski Murphy OBrien Rossi Jansen`)

// Domain is the organisation's verified domain, the suffix of every UPN.
const Domain = "contoso.com"

// buildPopulation creates the users and decides who does what.
func (g *generator) buildPopulation() error {
	n := g.cfg.Users
	seen := map[string]int{}
	for i := range n {
		u := &user{idx: i, rng: rand.New(rand.NewPCG(g.cfg.Seed, uint64(i)+1))}
		first, last := firstNames[g.rng.IntN(len(firstNames))], lastNames[g.rng.IntN(len(lastNames))]
		u.name = first + " " + last
		local := strings.ToLower(first + "." + last)
		if seen[local]++; seen[local] > 1 {
			local = fmt.Sprintf("%s%d", local, seen[local])
		}
		u.upn = local + "@" + Domain
		u.id = newGUID(g.rng)
		g.users = append(g.users, u)
	}
	order := g.rng.Perm(n)
	g.placeUsers(order)
	g.addTraits(g.rng.Perm(n))
	for _, u := range g.users {
		if err := g.equip(u); err != nil {
			return err
		}
	}
	return g.planTrips()
}

// placeUsers decides where each user lives and works.
func (g *generator) placeUsers(order []int) {
	n := len(order)
	var abroad, domestic []*office
	for _, o := range g.net.offices {
		if o.City.Country == g.cfg.HomeCountry {
			domestic = append(domestic, o)
		} else {
			abroad = append(abroad, o)
		}
	}
	next := 0
	take := func(k int, f func(u *user, j int)) {
		for j := 0; j < k && next < n; j++ {
			f(g.users[order[next]], j)
			next++
		}
	}
	for _, o := range abroad {
		take(max(1, n*5/100), func(u *user, _ int) { u.traits |= tHybrid; u.office, u.home = o, o.City })
	}
	var remoteAbroad []*city
	for _, c := range []string{"CA", "FR", "NL", "IE", "JP", "SG", "ES", "MX"} {
		if c != g.cfg.HomeCountry {
			remoteAbroad = append(remoteAbroad, capitalOf(c))
		}
	}
	take(max(4, n/40), func(u *user, j int) { u.traits |= tRemote; u.home = remoteAbroad[j%len(remoteAbroad)] })
	homeCities := citiesIn(g.cfg.HomeCountry)[len(domestic):]
	take(n*14/100, func(u *user, _ int) { u.traits |= tRemote; u.home = homeCities[u.rng.IntN(len(homeCities))] })
	take(n, func(u *user, _ int) {
		o := domestic[0]
		if u.rng.IntN(100) >= 45 {
			o = domestic[1+u.rng.IntN(len(domestic)-1)]
		}
		u.traits |= tHybrid
		u.office, u.home = o, o.City
	})
}

// addTraits overlays behaviours on the placed users.
func (g *generator) addTraits(order []int) {
	n := len(order)
	quota := map[trait]int{
		tNew: max(1, n*3/100), tMobile: n * 25 / 100, tVPN: max(2, n*8/100),
		tCommVPN: max(5, n*6/100), tTraveller: max(2, n*8/100), tAdmin: max(2, n*5/100),
		tSync: max(1, n*2/100), tOnPrem: max(1, n*4/100),
		tSASE: max(4, n*6/100),
	}
	if g.cfg.HomeCountry == "US" {
		quota[tCloudPC] = max(2, n*4/100)
	}
	ps := max(1, min(3, quota[tAdmin]/4))
	for _, t := range []trait{tNew, tVPN, tCommVPN, tTraveller, tAdmin, tSync, tOnPrem, tMobile, tSASE, tCloudPC} {
		for _, i := range order {
			u := g.users[i]
			if quota[t] == 0 || !g.eligible(u, t) {
				continue
			}
			u.traits |= t
			quota[t]--
			if t == tAdmin && ps > 0 {
				u.traits |= tPowerShell
				ps--
			}
		}
		order = append(order[1:], order[0])
	}
}

func (g *generator) eligible(u *user, t trait) bool {
	domestic := u.home.Country == g.cfg.HomeCountry
	switch t {
	case tNew:
		return u.has(tHybrid)
	case tVPN, tCommVPN:
		return domestic && !u.has(tNew|tVPN|tCommVPN)
	case tTraveller:
		return !u.has(tNew)
	case tAdmin, tOnPrem:
		return domestic && u.has(tHybrid) && !u.has(tNew)
	case tSASE, tCloudPC:
		return domestic && !u.has(tNew|tVPN|tCommVPN|tTraveller|tAdmin|tSASE|tCloudPC)
	}
	return true
}

// equip gives a user addresses, devices and a start day.
func (g *generator) equip(u *user) error {
	ip, err := g.alloc.addr(u.home.Country, residential)
	if err != nil {
		return err
	}
	u.homeIP = endpoint{IP: ip, City: u.home}
	u.onPremIP = endpoint{IP: nthIn(g.net.onPrem, 256+u.idx)}
	u.carrier = g.net.carriers[u.idx%len(g.net.carriers)]
	u.device = desktops[u.rng.IntN(len(desktops))]
	u.phone = phones[u.rng.IntN(len(phones))]
	u.deviceID = newGUID(u.rng)
	if u.has(tVPN) {
		nodes := []string{"DE", "DE", "GB", g.cfg.HomeCountry}
		u.vpn = g.net.vpnNodes[nodes[u.idx%len(nodes)]]
	}
	if u.has(tCloudPC) {
		if err := g.equipCloudPC(u); err != nil {
			return err
		}
	}
	if u.has(tNew) {
		lo, hi := g.cfg.Days/3, g.cfg.Days-6
		u.join = lo + u.rng.IntN(max(1, hi-lo))
		hq := g.net.offices[0]
		if u.office != hq && cityDistance(u.home, hq.City) > 1000 {
			u.setupOffice = hq
		}
	}
	return nil
}

// newGUID returns a random RFC 4122 version 4 UUID string.
func newGUID(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
		a>>32, (a>>16)&0xffff, a&0xfff, (b>>48)&0x3fff|0x8000, b&0xffffffffffff)
}
