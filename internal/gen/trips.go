package gen

import (
	"time"
)

// flight is one door-to-door journey. Arrival is never earlier than
// minTravelHours after departure.
type flight struct {
	from, to *city
	dep, arr time.Time
}

// trip is a stay at another site, with its flights out and back.
type trip struct {
	dest      *city
	hotel     endpoint
	office    *office // the site's office, if any
	out, back flight
}

// transitMargin keeps travellers silent before boarding and after landing.
const (
	boardMargin = 90 * time.Minute
	landMargin  = 20 * time.Minute
)

// where returns where u is at t: the trip it is on (nil at home) and whether
// it is in transit (no activity at all).
func (u *user) where(t time.Time) (*trip, bool) {
	for _, tr := range u.trips {
		for _, f := range []flight{tr.out, tr.back} {
			if !t.Before(f.dep.Add(-boardMargin)) && t.Before(f.arr.Add(landMargin)) {
				return tr, true
			}
		}
		if t.After(tr.out.arr) && t.Before(tr.back.dep) {
			return tr, false
		}
	}
	return nil, false
}

// destinations are the sites staff travel to: every office and every city a
// remote colleague lives in, so no trip reaches a country the organisation
// does not use.
func (g *generator) destinations() []*city {
	var out []*city
	add := func(c *city) {
		for _, x := range out {
			if x == c {
				return
			}
		}
		out = append(out, c)
	}
	for _, o := range g.net.offices {
		add(o.City)
	}
	for _, u := range g.users {
		if u.has(tRemote) && u.home.Country != g.cfg.HomeCountry {
			add(u.home)
		}
	}
	return out
}

// planTrips books the travellers' and the new joiners' trips.
func (g *generator) planTrips() error {
	dests := g.destinations()
	for _, u := range g.users {
		switch {
		case u.has(tNew):
			if err := g.book(u, dests, u.join+1, u.join+5); err != nil {
				return err
			}
		case u.has(tTraveller):
			before := len(u.trips)
			if err := g.book(u, dests, 1, g.cfg.Days-5); err != nil {
				return err
			}
			// book may find no distant destination or no return inside
			// the month; a second trip follows only a first one.
			if len(u.trips) > before && g.cfg.Days >= 20 && u.rng.IntN(3) == 0 {
				last := u.trips[len(u.trips)-1]
				first := int(last.back.arr.Sub(g.cfg.Start).Hours()/24) + 2
				if first < g.cfg.Days-5 {
					if err := g.book(u, dests, first, g.cfg.Days-5); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// book adds a trip leaving between days lo and hi.
func (g *generator) book(u *user, dests []*city, lo, hi int) error {
	var dest *city
	for range 50 {
		c := dests[u.rng.IntN(len(dests))]
		if cityDistance(u.home, c) > 500 {
			dest = c
			break
		}
	}
	if dest == nil {
		return nil
	}
	day := lo + u.rng.IntN(max(1, hi-lo))
	nights := 2 + u.rng.IntN(4)
	out := g.fly(u, u.home, dest, day, 7+u.rng.Float64()*10)
	back := g.fly(u, dest, u.home, day+nights, 8+u.rng.Float64()*10)
	if !back.arr.Before(g.end) {
		return nil
	}
	ip, err := g.alloc.addr(dest.Country, []netKind{residential, hosting}[u.rng.IntN(2)])
	if err != nil {
		return err
	}
	tr := &trip{dest: dest, hotel: endpoint{IP: ip, City: dest}, out: out, back: back}
	for _, o := range g.net.offices {
		if o.City == dest {
			tr.office = o
		}
	}
	u.trips = append(u.trips, tr)
	return nil
}

// fly departs at local hour h of day d and lands after the flight time, the
// airport time and some slack (connections, taxis).
func (g *generator) fly(u *user, from, to *city, d int, h float64) flight {
	dep := g.localTime(from, d, h)
	hours := minTravelHours(cityDistance(from, to)) + 0.5 + u.rng.Float64()*2
	return flight{from: from, to: to, dep: dep, arr: dep.Add(time.Duration(hours * float64(time.Hour)))}
}

// localTime is hour h (fractional) of day d in c's time zone, in UTC.
func (g *generator) localTime(c *city, d int, h float64) time.Time {
	return g.dayStart(d).Add(time.Duration((h - c.TZ) * float64(time.Hour))).Truncate(time.Second)
}
