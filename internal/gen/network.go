package gen

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/phuslu/iploc"
)

// endpoint is where a sign-in comes from: an address and the place Entra
// reports for it. City is nil for private addresses, which Entra cannot
// locate.
type endpoint struct {
	IP   netip.Addr
	City *city
}

// office is one site of the organisation with its corporate egress block.
type office struct {
	City   *city
	Block  netip.Prefix
	Egress []endpoint
}

// listedNet is one line of vpn.csv or anonymous-proxy.txt.
type listedNet struct {
	Net      netip.Prefix
	Provider string
	Country  string
}

// network is every shared piece of address space of the scenario.
type network struct {
	offices  []*office
	carriers [][]endpoint // per carrier, CGNAT addresses shared by subscribers
	vpnNets  []listedNet  // the corporate SSE/VPN provider's egress networks
	vpnNodes map[string]endpoint
	commVPN  listedNet  // consumer VPN on the anonymous list, used by many staff
	commExit []endpoint // its exits
	proxies  []listedNet
	tor      []netip.Addr
	spray    []endpoint
	azure    []netip.Addr
	sync     []endpoint // third-party mail sync service
	onPrem   netip.Prefix
	sase     sasePool     // undeclared SASE provider
	intel    []netip.Addr // attackers' addresses on the threat-intelligence list
}

// torRanges are networks of long-running Tor exit operators.
var torRanges = []string{
	"185.220.100.0/22", "171.25.193.0/24", "192.42.116.0/24", "109.70.100.0/24",
	"185.129.61.0/24", "185.100.84.0/22", "23.129.64.0/24", "162.247.72.0/22",
	"204.8.96.0/22", "198.98.48.0/20", "80.67.167.0/24", "45.84.107.0/24",
	"185.241.208.0/24", "107.189.0.0/20",
}

// zscalerRanges are the cloud security provider's egress networks: each /24
// inside is one data centre, in the country iploc gives.
var zscalerRanges = []string{"165.225.0.0/16", "136.226.0.0/16"}

// dcCities is where hosting and VPN addresses of a country are located.
var dcCities = map[string]string{
	"US": "Ashburn", "GB": "London", "DE": "Frankfurt am Main", "NL": "Amsterdam",
	"FR": "Paris", "CH": "Zurich", "SE": "Stockholm", "AT": "Vienna", "DK": "Copenhagen",
	"PL": "Warsaw", "FI": "Helsinki", "LU": "Luxembourg", "CA": "Montreal", "RO": "Bucharest",
	"IN": "Mumbai", "SG": "Singapore", "JP": "Tokyo", "IE": "Dublin", "ES": "Madrid",
}

func dcCity(country string) *city {
	if c := cityNamed(dcCities[country]); c != nil {
		return c
	}
	return capitalOf(country)
}

// buildNetwork lays out the organisation's offices and every shared range.
func (g *generator) buildNetwork() error {
	n := &network{vpnNodes: map[string]endpoint{}, onPrem: netip.MustParsePrefix("10.20.0.0/16")}
	g.net = n
	steps := []func(*network) error{g.buildLists, g.buildOffices, g.buildCarriers, g.buildServices, g.buildLookalikes}
	for _, step := range steps {
		if err := step(n); err != nil {
			return err
		}
	}
	return nil
}

// buildLists reserves the VPN, proxy and Tor ranges first so that no
// ordinary user is ever handed an address on a list.
func (g *generator) buildLists(n *network) error {
	for _, r := range zscalerRanges {
		p := netip.MustParsePrefix(r)
		for i := range 256 {
			blk := netip.PrefixFrom(nthIn(p, i*256), 24)
			if c := uniformCountry(blk); c != "" {
				n.vpnNets = append(n.vpnNets, listedNet{Net: blk, Provider: "Zscaler", Country: c})
				g.alloc.reserved = append(g.alloc.reserved, blk)
			}
		}
	}
	for _, c := range []string{g.cfg.HomeCountry, "DE", "GB"} {
		for _, v := range n.vpnNets {
			if v.Country == c {
				n.vpnNodes[c] = endpoint{IP: nthIn(v.Net, 10), City: dcCity(c)}
				break
			}
		}
	}
	if err := g.buildCommercialVPN(n); err != nil {
		return err
	}
	if err := g.buildProxies(n); err != nil {
		return err
	}
	return g.buildTor(n)
}

// uniformCountry returns the country of blk when its sampled addresses all
// agree, "" otherwise.
func uniformCountry(blk netip.Prefix) string {
	c := iploc.IPCountry(nthIn(blk, 1))
	for _, i := range []int{10, 64, 128, 200, 254} {
		if iploc.IPCountry(nthIn(blk, i)) != c {
			return ""
		}
	}
	if c == "ZZ" {
		return ""
	}
	return c
}

func (g *generator) buildCommercialVPN(n *network) error {
	blk, err := g.alloc.block("CH", []string{"185.159.156.0/22"}, 28)
	if err != nil {
		return err
	}
	n.commVPN = listedNet{Net: blk, Provider: "ProtonVPN", Country: "CH"}
	// Few exits per user keep each exit shared by many staff.
	for i := 2; i < 2+max(1, min(4, g.cfg.Users/75)); i++ {
		n.commExit = append(n.commExit, endpoint{IP: nthIn(blk, i), City: cityNamed("Zurich")})
	}
	return nil
}

func (g *generator) buildProxies(n *network) error {
	countries := []string{"US", "NL", "DE", "GB", "FR", "SG", "CA", g.cfg.HomeCountry}
	for i := range 36 {
		c := countries[i%len(countries)]
		if i%6 == 5 {
			blk, err := g.alloc.block(c, hintsFor(c, hosting), 29)
			if err != nil {
				return err
			}
			n.proxies = append(n.proxies, listedNet{Net: blk, Provider: "proxy", Country: c})
			continue
		}
		ip, err := g.alloc.addr(c, hosting)
		if err != nil {
			return err
		}
		n.proxies = append(n.proxies, listedNet{Net: netip.PrefixFrom(ip, 32), Provider: "proxy", Country: c})
	}
	return nil
}

// buildTor draws a realistic-size bulk exit list from the Tor operators'
// networks.
func (g *generator) buildTor(n *network) error {
	seen := map[netip.Addr]bool{}
	for len(n.tor) < 900 {
		p := netip.MustParsePrefix(torRanges[g.rng.IntN(len(torRanges))])
		ip := randomIn(g.rng, p)
		if seen[ip] || !g.alloc.usable(ip) || iploc.IPCountry(ip) == "ZZ" {
			continue
		}
		seen[ip] = true
		g.alloc.used[ip] = true
		n.tor = append(n.tor, ip)
	}
	slices.SortFunc(n.tor, netip.Addr.Compare)
	return nil
}

// buildOffices gives each office a /28 egress block; most staff sign in
// through its first two addresses.
func (g *generator) buildOffices(n *network) error {
	home := citiesIn(g.cfg.HomeCountry)
	if len(home) < 3 {
		return fmt.Errorf("gen: home country %s: need at least 3 known cities", g.cfg.HomeCountry)
	}
	sites := append([]*city{}, home[:min(4, len(home)-1)]...)
	for _, c := range []string{"London", "Berlin", "Bengaluru"} {
		if cc := cityNamed(c); cc.Country != g.cfg.HomeCountry {
			sites = append(sites, cc)
		}
	}
	for _, c := range sites {
		blk, err := g.alloc.block(c.Country, hintsFor(c.Country, residential), 28)
		if err != nil {
			return err
		}
		o := &office{City: c, Block: blk}
		for i := 1; i <= 2; i++ {
			o.Egress = append(o.Egress, endpoint{IP: nthIn(blk, i), City: c})
		}
		n.offices = append(n.offices, o)
	}
	return nil
}

// buildCarriers makes three mobile carriers whose CGNAT addresses are shared
// by many subscribers and located at the carrier's gateway, often far from
// the subscriber.
func (g *generator) buildCarriers(n *network) error {
	home := citiesIn(g.cfg.HomeCountry)
	size := max(2, g.cfg.Users/60)
	for range 3 {
		var pool []endpoint
		for range size {
			ip, err := g.alloc.addr(g.cfg.HomeCountry, mobile)
			if err != nil {
				return err
			}
			pool = append(pool, endpoint{IP: ip, City: home[g.rng.IntN(min(len(home), 8))]})
		}
		n.carriers = append(n.carriers, pool)
	}
	return nil
}

// buildServices allocates the addresses of non-human actors: password
// sprayers, Azure automation and a third-party mail sync service.
func (g *generator) buildServices(n *network) error {
	for i := range 12 {
		c := []string{"CN", "RU", "BR"}[i%3]
		ip, err := g.alloc.addr(c, residential)
		if err != nil {
			return err
		}
		n.spray = append(n.spray, endpoint{IP: ip, City: capitalOf(c)})
	}
	for range 16 {
		ip, err := g.alloc.addrIn("US", []string{"20.0.0.0/11", "40.64.0.0/10"})
		if err != nil {
			return err
		}
		n.azure = append(n.azure, ip)
	}
	for range 2 {
		ip, err := g.alloc.addr("DE", hosting)
		if err != nil {
			return err
		}
		n.sync = append(n.sync, endpoint{IP: ip, City: dcCity("DE")})
	}
	return nil
}
