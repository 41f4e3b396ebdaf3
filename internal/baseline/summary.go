package baseline

import (
	"cmp"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// countHour counts one activity in UTC hour h. When a count saturates,
// all are halved: the shape is kept and older activity weighs less.
func (p *Principal) countHour(h int) {
	if p.Hours[h] == math.MaxUint8 {
		for i := range p.Hours {
			p.Hours[i] /= 2
		}
	}
	p.Hours[h]++
}

// maxApps caps a tenant's table of app names (AppSeen holds 16 bits).
const maxApps = math.MaxUint16 - 1

// touchApp records the client app of a successful activity on day, in
// the slot of the same app or the least recently used one. Apps are known
// by ID (sign-ins and ARM share it; only sign-ins name the app).
func (t *Tenant) touchApp(p *Principal, e *event.Event, day uint32) {
	key := cmp.Or(e.AppID, e.AppName)
	if key == "" {
		return
	}
	app, ok := t.lastApp, same(key, t.lastAppKey) || key == t.lastAppKey
	if !ok {
		app, ok = t.appOf(p, key)
	}
	switch {
	case ok && e.AppName != "" && t.AppNames[app-1] != e.AppName:
		t.AppNames[app-1] = e.AppName
	case !ok:
		if len(t.AppKeys) >= maxApps {
			return
		}
		t.AppKeys = append(t.AppKeys, key)
		t.AppNames = append(t.AppNames, cmp.Or(e.AppName, key))
		app = uint16(len(t.AppKeys))
		t.appIndex[key] = app
	}
	t.lastAppKey, t.lastApp = key, app
	victim := 0
	for i, s := range p.Apps {
		if s.App == app {
			p.Apps[i].LastDay = max(s.LastDay, uint16(day))
			return
		}
		if s.LastDay < p.Apps[victim].LastDay {
			victim = i
		}
	}
	p.Apps[victim] = AppSeen{App: app, LastDay: uint16(day)}
}

// appOf returns the index of app key: one of the principal's own apps
// mostly, without hashing the key.
func (t *Tenant) appOf(p *Principal, key string) (uint16, bool) {
	for _, s := range p.Apps {
		if s.App != 0 && int(s.App) <= len(t.AppKeys) && t.AppKeys[s.App-1] == key {
			return s.App, true
		}
	}
	app, ok := t.appIndex[key]
	return app, ok
}

// PrincipalSummary is what the baselines know of a principal, for people:
// the countries, IPs and apps it used within the window, and when in the
// day it is usually active.
type PrincipalSummary struct {
	Tenant    string    `json:"tenant"`
	Principal string    `json:"principal"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// LastSuccess is the latest successful activity (zero: none).
	LastSuccess time.Time    `json:"last_success"`
	Countries   []CountryUse `json:"countries"`
	IPs         []IPUse      `json:"ips"`
	Apps        []AppUse     `json:"apps"`
	// UsualHours is activity by UTC hour of day: relative counts (halved
	// together whenever one reaches 255).
	UsualHours [24]int `json:"usual_hours"`
}

// CountryUse is a country and the last day it was used (midnight UTC).
type CountryUse struct {
	Country  string    `json:"country"`
	LastSeen time.Time `json:"last_seen"`
}

// IPUse is an IP, its country when known, and the last day it was used.
type IPUse struct {
	IP       string    `json:"ip"`
	Country  string    `json:"country,omitempty"`
	LastSeen time.Time `json:"last_seen"`
}

// AppUse is a client app and the last day it was used.
type AppUse struct {
	App      string    `json:"app"`
	LastSeen time.Time `json:"last_seen"`
}

// Summary returns what the baselines know of principal name in tenant
// (matched exactly, then case-insensitively), within the window before
// the tenant's newest event. country, if set, names the country of IPs
// the principal's last fix does not locate. It reads only: safe alongside
// other readers, not alongside Learn.
func (b *Baselines) Summary(tenant, name string, country func(netip.Addr) string) (PrincipalSummary, bool) {
	t, ok := b.tenants[tenant]
	if !ok {
		return PrincipalSummary{}, false
	}
	i, ok := t.index[name]
	if !ok {
		if i, ok = t.findFold(name); !ok {
			return PrincipalSummary{}, false
		}
	}
	p := &t.Principals[i]
	since := b.WindowStart(t.newest(p))
	s := PrincipalSummary{
		Tenant: t.ID, Principal: p.Name, FirstSeen: unixUTC(p.FirstSeen), LastSeen: unixUTC(p.LastSeen),
		Countries: []CountryUse{}, IPs: []IPUse{}, Apps: []AppUse{},
	}
	if p.LastSuccess != 0 {
		s.LastSuccess = unixUTC(p.LastSuccess)
	}
	for _, c := range p.Countries {
		if c.Code != 0 && uint32(c.LastDay) >= since {
			s.Countries = append(s.Countries, CountryUse{Country: c.Code.String(), LastSeen: dayTime(uint32(c.LastDay))})
		}
	}
	for _, u := range p.IPs {
		if u.LastDay != 0 && uint32(u.LastDay) >= since {
			s.IPs = append(s.IPs, ipUse(p, u, country))
		}
	}
	for _, a := range p.Apps {
		if a.App != 0 && int(a.App) <= len(t.AppNames) && uint32(a.LastDay) >= since {
			s.Apps = append(s.Apps, AppUse{App: t.AppNames[a.App-1], LastSeen: dayTime(uint32(a.LastDay))})
		}
	}
	for h, n := range p.Hours {
		s.UsualHours[h] = int(n)
	}
	byRecent := func(a, b time.Time) int { return b.Compare(a) }
	slices.SortStableFunc(s.Countries, func(a, b CountryUse) int { return byRecent(a.LastSeen, b.LastSeen) })
	slices.SortStableFunc(s.IPs, func(a, b IPUse) int { return byRecent(a.LastSeen, b.LastSeen) })
	slices.SortStableFunc(s.Apps, func(a, b AppUse) int { return byRecent(a.LastSeen, b.LastSeen) })
	return s, true
}

func ipUse(p *Principal, u IPSeen, country func(netip.Addr) string) IPUse {
	ip := netip.AddrFrom16(u.Addr).Unmap()
	use := IPUse{IP: ip.String(), LastSeen: dayTime(uint32(u.LastDay))}
	switch {
	case p.HasFix() && p.Fix.IP == ip:
		use.Country = p.Fix.Country.String()
	case country != nil:
		use.Country = country(ip)
	}
	return use
}

// findFold finds a principal by case-insensitive name.
func (t *Tenant) findFold(name string) (uint32, bool) {
	for i := range t.Principals {
		if strings.EqualFold(t.Principals[i].Name, name) {
			return uint32(i), true
		}
	}
	return 0, false
}

// newest is the tenant's latest event time (its streams' watermarks), or
// p's last activity if later: "now" in event time.
func (t *Tenant) newest(p *Principal) time.Time {
	n := p.LastSeen * int64(time.Second)
	for _, w := range t.Watermarks {
		n = max(n, w.Time)
	}
	return time.Unix(0, n).UTC()
}

func unixUTC(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

func dayTime(day uint32) time.Time { return time.Unix(int64(day)*86400, 0).UTC() }
