package baseline

import (
	"cmp"
	"slices"
	"time"
)

// TenantCountry is a country the organisation used within the window: the
// last day anyone used it, and by how many principals (counted up to the
// eight a usage entry remembers).
type TenantCountry struct {
	Country    string    `json:"country"`
	LastSeen   time.Time `json:"last_seen"`
	Principals int       `json:"principals"`
}

// Countries returns the countries anyone in tenant used within the window
// before the tenant's newest event (what the infrequent-country detection
// compares with), most principals first, then by code. ok is false for a
// tenant never seen. It reads only: safe alongside other readers.
func (b *Baselines) Countries(tenant string) (list []TenantCountry, ok bool) {
	t, ok := b.tenants[tenant]
	if !ok {
		return nil, false
	}
	var newest int64
	for _, w := range t.Watermarks {
		newest = max(newest, w.Time)
	}
	since := b.WindowStart(time.Unix(0, newest).UTC())
	list = []TenantCountry{}
	for c, u := range t.Countries {
		if uint32(u.LastDay) < since {
			continue
		}
		n := 0
		for i, who := range u.Who {
			if who != 0 && uint32(u.Day[i]) >= since {
				n++
			}
		}
		list = append(list, TenantCountry{Country: c.String(), LastSeen: dayTime(uint32(u.LastDay)), Principals: n})
	}
	slices.SortFunc(list, func(a, b TenantCountry) int {
		return cmp.Or(cmp.Compare(b.Principals, a.Principals), cmp.Compare(a.Country, b.Country))
	})
	return list, true
}
