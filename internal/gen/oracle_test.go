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
// with the exemptions the brief lists. Every alert they raise must be
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

type cell [2]int

func cellOf(lat, lon float64) cell { return cell{int(math.Floor(lat * 2)), int(math.Floor(lon * 2))} }

// travelOracle flags successful interactive sign-ins that no journey from
// the user's previous located sign-in could explain.
func travelOracle(m *month, checkCells bool) []string {
	shared := sharedIPs(m)
	cellUsers := map[cell]map[string]bool{}
	first := map[string]time.Time{}
	for _, s := range m.signins {
		if _, ok := first[s.Properties.UPN]; !ok {
			first[s.Properties.UPN] = s.Time
		}
		if c := s.Properties.Location.Coords; c != nil && s.ok() && s.Properties.Interactive {
			k := cellOf(c.Lat, c.Lon)
			if cellUsers[k] == nil {
				cellUsers[k] = map[string]bool{}
			}
			cellUsers[k][s.Properties.UPN] = true
		}
	}
	exempt := func(s *parsedSignIn) bool {
		return shared[s.ip] || inAny(m.vpn, s.ip) || inAny(m.corp, s.ip)
	}
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
		if p == nil || s.Time.Sub(first[upn]) < learning || exempt(s) || exempt(p) {
			continue
		}
		if checkCells && len(cellUsers[cellOf(c.Lat, c.Lon)]) > 3 {
			continue
		}
		pc := p.Properties.Location.Coords
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
	checkOracles(t, loadDefault(t), 15, 25)
}

// checkOracles compares the reference detections' alerts with the labels,
// and the label counts with [lo, hi].
func checkOracles(t *testing.T, m *month, lo, hi int) {
	t.Helper()
	for _, tc := range []struct {
		det string
		got []string
	}{
		{DetImpossibleTravel, travelOracle(m, true)},
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
// of a user's own devices (not shared, VPN or attacker addresses) leaves
// time for the flight.
func TestJourneysPlausible(t *testing.T) {
	m := loadDefault(t)
	shared := sharedIPs(m)
	attack := map[string]bool{}
	for _, l := range m.labels {
		attack[l.Principal] = true
	}
	prev := map[string]*parsedSignIn{}
	long := 0
	for _, s := range m.signins {
		c := s.Properties.Location.Coords
		upn := s.Properties.UPN
		if !s.ok() || c == nil || attack[upn] || shared[s.ip] || inAny(m.vpn, s.ip) || inAny(m.corp, s.ip) || inAny(m.anon, s.ip) {
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
