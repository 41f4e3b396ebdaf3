package baseline

import "time"

// Repair removes from the baselines what an earlier version let untrusted
// event times put there, and returns how many entries it changed; the
// caller warns. Times outside [floor, limit] are such (1601-01-01 wraps
// past 2262 in Unix nanoseconds, a forged 2106 stays): today package
// eventtime rejects them before they reach a baseline.
//
//   - a watermark outside the range is dropped: kept, every genuine event
//     of its stream would count as already processed; the stream starts
//     again at its next event (alert IDs keep a re-read input harmless);
//   - a principal's first, last, last-success and PowerShell times
//     outside it are forgotten (the next event sets them again), as are a
//     fix, recent countries and IPs, and sessions dated outside it;
//   - usage of IPs, countries and places on days outside it is dropped;
//   - a tenant's first activity is recomputed from its principals'.
func (b *Baselines) Repair(floor, limit time.Time) int {
	r := repairer{lo: floor.Unix(), hi: limit.Unix(), loDay: Day(floor), hiDay: Day(limit)}
	for _, t := range b.tenants {
		r.tenant(t)
	}
	if r.n > 0 {
		b.caches, b.last, b.lastCache = map[string]*tenantCache{}, nil, nil
	}
	return r.n
}

type repairer struct {
	lo, hi       int64 // Unix seconds
	loDay, hiDay uint32
	n            int
}

func (r *repairer) bad(sec int64) bool { return sec != 0 && (sec < r.lo || sec > r.hi) }

func (r *repairer) badDay(day uint32) bool { return day != 0 && (day < r.loDay || day > r.hiDay) }

// clear zeroes *v when it is outside the range.
func (r *repairer) clear(v *int64) {
	if r.bad(*v) {
		*v = 0
		r.n++
	}
}

func (r *repairer) tenant(t *Tenant) {
	lo, hi := r.lo*1e9, r.hi*1e9
	for k, w := range t.Watermarks {
		if w.Time < lo || w.Time > hi {
			delete(t.Watermarks, k)
			r.n++
		}
	}
	first := int64(0)
	for i := range t.Principals {
		p := &t.Principals[i]
		r.principal(p)
		if p.FirstSeen != 0 && (first == 0 || p.FirstSeen < first) {
			first = p.FirstSeen
		}
	}
	if r.bad(t.FirstSeen) || (t.FirstSeen == 0) != (first == 0) {
		t.FirstSeen = first
		r.n++
	}
	r.usage(t)
	for i, s := range t.Sessions {
		if r.bad(s.Start) || r.bad(s.Last) {
			delete(t.Sessions, i)
			r.n++
		}
	}
}

func (r *repairer) principal(p *Principal) {
	for _, v := range []*int64{&p.FirstSeen, &p.LastSeen, &p.LastSuccess, &p.LastPowerShell} {
		r.clear(v)
	}
	if r.bad(p.Fix.Time) {
		p.Fix = Fix{}
		r.n++
	}
	for i := range p.Countries {
		if r.badDay(uint32(p.Countries[i].LastDay)) {
			p.Countries[i] = CountrySeen{}
			r.n++
		}
	}
	for i := range p.IPs {
		if r.badDay(uint32(p.IPs[i].LastDay)) {
			p.IPs[i] = IPSeen{}
			r.n++
		}
	}
}

func (r *repairer) usage(t *Tenant) {
	dropUsage(r, t.IPs)
	dropUsage(r, t.Countries)
	dropUsage(r, t.Cells)
	dropSolo(r, t.SoloIPs)
	dropSolo(r, t.SoloIPs4)
}

// dropSolo deletes the solo usage of a day outside the range.
func dropSolo[K comparable](r *repairer, m map[K]Solo) {
	for k, s := range m {
		if r.badDay(uint32(s.Day)) {
			delete(m, k)
			r.n++
		}
	}
}

// dropUsage deletes the usage last seen on a day outside the range.
func dropUsage[K comparable](r *repairer, m map[K]Usage) {
	for k, u := range m {
		if r.badDay(uint32(u.LastDay)) {
			delete(m, k)
			r.n++
		}
	}
}
