package gen

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The oracles below are plain reference versions of the three detections,
// with the exemptions the brief lists: for travel, infrastructure (shared
// addresses and networks, declared lists, the staff's anonymiser, a pair
// of places the user goes between again and again), never a place. Every alert they raise must be
// labelled and every label must be raised: the month has no unlabelled
// true positive and no label that cannot fire.

const learning = 7 * 24 * time.Hour

// sharedIPs are addresses successfully used by at least three users.
func sharedIPs(m *month) map[netip.Addr]bool {
	users := map[netip.Addr]map[string]bool{}
	for _, s := range m.signins {
		if s.ok() {
			if users[s.ip] == nil {
				users[s.ip] = map[string]bool{}
			}
			users[s.ip][s.Properties.UPN] = true
		}
	}
	out := map[netip.Addr]bool{}
	for ip, u := range users {
		out[ip] = len(u) >= 3
	}
	return out
}

// sharedNets are /24 networks successfully used by at least five users.
func sharedNets(m *month) map[netip.Prefix]bool {
	users := map[netip.Prefix]map[string]bool{}
	for _, s := range m.signins {
		if s.ok() && s.ip.Is4() {
			n, _ := s.ip.Prefix(24)
			if users[n] == nil {
				users[n] = map[string]bool{}
			}
			users[n][s.Properties.UPN] = true
		}
	}
	out := map[netip.Prefix]bool{}
	for n, u := range users {
		out[n] = len(u) >= 5
	}
	return out
}

type cell [2]int

func cellOf(lat, lon float64) cell { return cell{int(math.Floor(lat * 2)), int(math.Floor(lon * 2))} }

// travelOracle flags successful interactive sign-ins that no journey from
// the user's previous located sign-in could explain.
func travelOracle(m *month) []string {
	shared, nets := sharedIPs(m), sharedNets(m)
	first := map[string]time.Time{}
	for _, s := range m.signins {
		if _, ok := first[s.Properties.UPN]; !ok {
			first[s.Properties.UPN] = s.Time
		}
	}
	exempt := func(s *parsedSignIn) bool {
		n, _ := s.ip.Prefix(24)
		return shared[s.ip] || nets[n] || inAny(m.vpn, s.ip) || inAny(m.corp, s.ip) || inAny(m.anon, s.ip) && shared[s.ip]
	}
	hops := map[string]map[[2]cell]int{} // per user, moves between two cells so far
	prev := map[string]*parsedSignIn{}
	var out []string
	for _, s := range m.signins {
		c := s.Properties.Location.Coords
		if !s.ok() || !s.Properties.Interactive || c == nil || s.ip.IsPrivate() {
			continue
		}
		upn := s.Properties.UPN
		p := prev[upn]
		prev[upn] = s
		if p == nil {
			continue
		}
		pc := p.Properties.Location.Coords
		hop := [2]cell{cellOf(pc.Lat, pc.Lon), cellOf(c.Lat, c.Lon)}
		if hop[0][0] > hop[1][0] || hop[0][0] == hop[1][0] && hop[0][1] > hop[1][1] {
			hop[0], hop[1] = hop[1], hop[0]
		}
		if hops[upn] == nil {
			hops[upn] = map[[2]cell]int{}
		}
		habitual := hops[upn][hop] >= 3
		if hop[0] != hop[1] {
			hops[upn][hop]++
		}
		if s.Time.Sub(first[upn]) < learning || exempt(s) || exempt(p) || habitual {
			continue
		}
		km := distanceKm(pc.Lat, pc.Lon, c.Lat, c.Lon)
		if km > 500 && s.Time.Sub(p.Time).Hours() < minTravelHours(km) {
			out = append(out, s.Properties.ID)
		}
	}
	return out
}

// countryOracle flags successful activity from a country nobody used in the
// previous 30 days, once the organisation's learning period is over.
func countryOracle(m *month) []string {
	last := map[string]time.Time{}
	start := m.signins[0].Time
	var out []string
	for _, s := range m.signins {
		c := s.Properties.Location.Country
		if !s.ok() || c == "" {
			continue
		}
		if l, ok := last[c]; s.Time.Sub(start) >= learning && (!ok || s.Time.Sub(l) > 30*24*time.Hour) {
			out = append(out, s.Properties.ID)
		}
		last[c] = s.Time
	}
	return out
}

// anonymousOracle flags successful activity from listed Tor exits and
// anonymising proxies that fewer than three users use.
func anonymousOracle(m *month) []string {
	shared := sharedIPs(m)
	var out []string
	for _, s := range m.signins {
		if s.ok() && (m.tor[s.ip] || inAny(m.anon, s.ip)) && !shared[s.ip] {
			out = append(out, s.Properties.ID)
		}
	}
	return out
}

func labelKeys(m *month, det string) []string {
	var out []string
	for _, l := range m.labels {
		if l.Detection == det {
			out = append(out, l.Key)
		}
	}
	return out
}

func TestLabelsMatchReferenceDetections(t *testing.T) {
	checkOracles(t, loadDefault(t), 15, 35)
}

// checkOracles compares the reference detections' alerts with the labels,
// and the label counts with [lo, hi].
func checkOracles(t *testing.T, m *month, lo, hi int) {
	t.Helper()
	for _, tc := range []struct {
		det string
		got []string
	}{
		{DetImpossibleTravel, travelOracle(m)},
		{DetInfrequentCountry, countryOracle(m)},
		{DetAnonymousIP, anonymousOracle(m)},
	} {
		t.Run(tc.det, func(t *testing.T) {
			want := labelKeys(m, tc.det)
			if n := len(want); n < lo || n > hi {
				t.Errorf("%d labels, want %d-%d", n, lo, hi)
			}
			got := slices.Sorted(slices.Values(tc.got))
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("oracle alerts vs labels (-labels +oracle):\n%s", diff)
			}
		})
	}
}

// TestJourneysPlausible checks with haversine that every change of place
// of a user's own devices (not shared addresses or networks, VPN, Cloud PC
// or attacker addresses) leaves time for the flight.
func TestJourneysPlausible(t *testing.T) {
	m := loadDefault(t)
	shared, nets := sharedIPs(m), sharedNets(m)
	var cloudPCs []netip.Prefix
	for _, r := range cloudPCRanges {
		cloudPCs = append(cloudPCs, netip.MustParsePrefix(r))
	}
	attack := map[string]bool{}
	for _, l := range m.labels {
		attack[l.Principal] = true
	}
	prev := map[string]*parsedSignIn{}
	long := 0
	for _, s := range m.signins {
		c := s.Properties.Location.Coords
		upn := s.Properties.UPN
		if !s.ok() || c == nil || attack[upn] || shared[s.ip] || inAny(m.vpn, s.ip) || inAny(m.corp, s.ip) || inAny(m.anon, s.ip) ||
			nets[net24(s.ip)] || inAny(cloudPCs, s.ip) {
			continue
		}
		if p := prev[upn]; p != nil {
			pc := p.Properties.Location.Coords
			km := distanceKm(pc.Lat, pc.Lon, c.Lat, c.Lon)
			if h := s.Time.Sub(p.Time).Hours(); km > 100 && h < minTravelHours(km) {
				t.Errorf("%s: %.0f km in %.1f h (%s -> %s)", upn, km, h, p.Properties.ID, s.Properties.ID)
			}
			if km > 3000 {
				long++
			}
		}
		prev[upn] = s
	}
	if long < 10 {
		t.Errorf("only %d long-haul journeys: travellers are missing", long)
	}
}

// TestLabelsOtherSeeds guards against a month that is clean by luck of the
// default seed.
func TestLabelsOtherSeeds(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{2, 3} {
		c := DefaultConfig()
		c.Seed, c.Users, c.Days = seed, 120, 20
		m, err := generateAndParse(t.TempDir(), c)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkOracles(t, m, 2, 25) })
	}
}

func net24(ip netip.Addr) netip.Prefix {
	n, _ := ip.Prefix(24)
	return n
}
