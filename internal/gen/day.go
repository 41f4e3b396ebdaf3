package gen

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// workday reports whether day d is Monday to Friday.
func (g *generator) workday(d int) bool {
	wd := g.dayStart(d).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// scaled draws a count around mean*density with stochastic rounding, so
// small densities still produce some activity.
func (g *generator) scaled(rng *rand.Rand, n int) int {
	x := float64(n) * g.cfg.Density
	k := int(math.Floor(x))
	if rng.Float64() < x-float64(k) {
		k++
	}
	return k
}

// userDay generates one local day of u's sign-ins.
func (g *generator) userDay(u *user, d int) {
	if d < u.join || (d >= u.leaveFrom && d < u.leaveTo) {
		return
	}
	rng := u.rng
	tr, _ := u.where(g.localTime(u.home, d, 12))
	tz := u.home
	if tr != nil {
		tz = tr.dest
	}
	work := g.workday(d)
	officeDay := u.office != nil && work && tr == nil && rng.Float64() < officeChance(g.dayStart(d).Weekday())
	n := 2 + rng.IntN(7)
	from, span := 7.5, 11.0
	if !work {
		n, from, span = 0, 9, 13
		if rng.IntN(100) < 35 {
			n = 1 + rng.IntN(2)
		}
	}
	hours := make([]float64, g.scaled(rng, n))
	for i := range hours {
		hours[i] = from + rng.Float64()*span
	}
	slices.Sort(hours)
	if d == u.join && u.setupOffice != nil {
		g.accountSetup(u, d)
	}
	for i, h := range hours {
		g.interactive(u, g.localTime(tz, d, h), officeDay, work && i == 0)
	}
	g.background(u, d, tz)
}

// officeChance is how likely a hybrid worker is at the office on wd.
func officeChance(wd time.Weekday) float64 {
	switch wd {
	case time.Tuesday, time.Wednesday, time.Thursday:
		return 0.8
	case time.Monday, time.Friday:
		return 0.35
	}
	return 0
}

// interactive generates one interactive sign-in at t, sometimes preceded by
// a failure, followed by token refreshes of the same client.
func (g *generator) interactive(u *user, t time.Time, officeDay, first bool) {
	rng := u.rng
	tr, transit := u.where(t)
	if transit || u.quietAt(t) {
		return
	}
	ep, phone := g.endpointFor(u, t, tr, officeDay)
	if tr == nil && !phone && u.has(tSASE|tCloudPC) {
		if la, ok := g.lookalikeEndpoint(u, t, first, officeDay, rng.Float64()); ok {
			ep = la
		}
	}
	a, dev := browserApps[rng.IntN(len(browserApps))], u.device
	if phone {
		a, dev = mobileApps[rng.IntN(len(mobileApps))], u.phone
	}
	if first && u.has(tAdmin) && !phone {
		a, dev = g.adminTool(u)
	}
	noCoords := rng.IntN(10) == 0
	switch r := rng.IntN(100); {
	case r < 3:
		g.emit(rng, signIn{u: u, t: t.Add(-90 * time.Second), ep: ep, app: a, dev: dev, interactive: true, code: 50126, noCoords: noCoords})
	case r < 6:
		g.emit(rng, signIn{u: u, t: t.Add(-40 * time.Second), ep: ep, app: a, dev: dev, interactive: true, code: 50074, noCoords: noCoords})
	}
	g.emit(rng, signIn{u: u, t: t, ep: ep, app: a, dev: dev, interactive: true, noCoords: noCoords})
	if a.Management {
		g.adminSession(u, t, ep, a)
	}
	for range g.scaled(rng, 1+rng.IntN(3)) {
		rt := t.Add(time.Duration(10+rng.IntN(170)) * time.Minute)
		if tr2, transit := u.where(rt); transit || tr2 != tr {
			continue
		}
		ra := refreshApps[rng.IntN(len(refreshApps))]
		if phone {
			ra = a
		}
		g.emit(rng, signIn{u: u, t: rt, ep: ep, app: ra, dev: dev, noCoords: rng.IntN(10) == 0})
	}
}

// endpointFor picks where an interactive sign-in of u at t comes from, and
// whether it is from the phone.
func (g *generator) endpointFor(u *user, t time.Time, tr *trip, officeDay bool) (endpoint, bool) {
	rng := u.rng
	if tr != nil {
		if tr.office != nil && g.workday(g.dayOf(t)) && rng.IntN(2) == 0 {
			return tr.office.Egress[rng.IntN(len(tr.office.Egress))], false
		}
		return tr.hotel, false
	}
	ep := u.homeIP
	if officeDay {
		ep = u.office.Egress[rng.IntN(len(u.office.Egress))]
	}
	r := rng.Float64()
	switch {
	case u.has(tOnPrem) && officeDay && r < 0.3:
		return u.onPremIP, false
	case u.has(tMobile) && r < 0.25:
		return u.carrier[rng.IntN(len(u.carrier))], true
	case u.has(tVPN) && !officeDay && r < 0.75:
		return u.vpn, false
	case u.has(tCommVPN) && r < 0.6:
		return g.net.commExit[rng.IntN(len(g.net.commExit))], false
	}
	return ep, false
}

func (g *generator) dayOf(t time.Time) int { return int(t.Sub(g.cfg.Start).Hours() / 24) }

// background generates the token refreshes a signed-in laptop and phone do
// through the day, from wherever the user is, and a mail sync service's.
func (g *generator) background(u *user, d int, tz *city) {
	rng := u.rng
	for range g.scaled(rng, 3+rng.IntN(3)) {
		t := g.localTime(tz, d, rng.Float64()*24)
		tr, transit := u.where(t)
		if transit {
			continue
		}
		ep := u.homeIP
		if tr != nil {
			ep = tr.hotel
		}
		g.emit(rng, signIn{u: u, t: t, ep: ep, app: refreshApps[rng.IntN(len(refreshApps))], dev: u.device, noCoords: rng.IntN(10) == 0})
	}
	if !u.has(tSync) {
		return
	}
	for range g.scaled(rng, 8) {
		t := g.dayStart(d).Add(time.Duration(rng.IntN(86400)) * time.Second)
		ep := g.net.sync[rng.IntN(len(g.net.sync))]
		g.emit(rng, signIn{u: u, t: t, ep: ep, app: appMailSync, dev: syncDevice})
	}
}

// accountSetup is the service desk enrolling a new joiner's MFA from head
// office hours before the joiner signs in from their own, distant, office:
// impossible travel that the learning period must absorb.
func (g *generator) accountSetup(u *user, d int) {
	o := u.setupOffice
	t := g.localTime(o.City, d, 10+u.rng.Float64()*3)
	g.emit(u.rng, signIn{u: u, t: t, ep: o.Egress[0], app: appMySignIns, dev: desktops[0], interactive: true})
}

// adminTool is the management client an administrator starts the day with.
func (g *generator) adminTool(u *user) (*app, *device) {
	switch r := u.rng.IntN(10); {
	case u.has(tPowerShell) && r < 8:
		return appPS, psDevice
	case r < 2:
		return appCLI, cliDevice
	}
	return appPortal, u.device
}

// sprayDay is password spraying from abroad: bursts of failed sign-ins
// against many accounts, never a success.
func (g *generator) sprayDay(d int) {
	rng := g.rng
	for range g.scaled(rng, 2+rng.IntN(3)) {
		ep := g.net.spray[rng.IntN(len(g.net.spray))]
		t := g.dayStart(d).Add(time.Duration(rng.IntN(86000)) * time.Second)
		for range 8 + rng.IntN(18) {
			u := g.users[rng.IntN(len(g.users))]
			t = t.Add(time.Duration(2+rng.IntN(20)) * time.Second)
			code := 50126
			if rng.IntN(10) == 0 {
				code = 50053
			}
			key, at := g.emit(rng, signIn{u: u, t: t, ep: ep, app: appAADPS, dev: sprayDevice, interactive: true, code: code})
			g.noteSpray(u, ep, key, at)
		}
	}
}
