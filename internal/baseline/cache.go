package baseline

import (
	"github.com/vedette/vedette/internal/event"
)

// tenantCache is what Learn and Seen remember about a tenant to skip work.
// It is derived state, never serialized: it starts empty again when a
// snapshot is restored.
type tenantCache struct {
	// watermarks are the tenant's watermarks by kind, as in
	// Tenant.Watermarks.
	watermarks [4]*Watermark
	// marks hold, for recently active principals, the last two located
	// uses each was learned from, the latest first: a table indexed by
	// principal index modulo its length (a power of two), so a tenant pays
	// at most maxMarkSets entries however many principals it has.
	marks []markSet
}

// maxMarkSets caps a tenant's mark table (28 KiB).
const maxMarkSets = 1024

// markSet is the marks of the principal with index owner-1.
type markSet struct {
	owner uint32
	m     [2]mark
	// res and resHash are the resource of the principal's last session
	// operation and its ResourceHash: operations come in runs on one
	// resource, and hashing a resource ID byte by byte is slow.
	res     string
	resHash uint32
}

// A mark says that the tenant's usage maps and the principal's slots
// already record one use by the principal: of the IP in the principal's
// IP slot, of country (if not 0) and of cell (if markCell), on day.
// Learning the same use again on day or earlier changes nothing. A mark is
// dropped when its IP slot may have been reused or usage pruned; it stops
// vouching for the tenant's IP usage (markIP) or network usage (markNet)
// when the principal's use is evicted from a full IP or network Usage,
// for its country or cell when the principal's use of that is evicted, and
// still spares learning the rest again. 12 bytes.
type mark struct {
	cell    Cell
	day     uint32
	country Country
	slot    uint8 // index in Principal.IPs
	flags   uint8
}

const (
	markOK   = 1 << iota // the mark is valid: the principal's IP slot records the use
	markCell             // the use had a cell
	markIP               // the tenant's IP usage records the use
	markNet              // the tenant's network usage records the use
)

// watermark returns t's watermark for kind, nil if it has none.
func (c *tenantCache) watermark(t *Tenant, kind event.Kind) *Watermark {
	if int(kind) < len(c.watermarks) {
		if w := c.watermarks[kind]; w != nil {
			return w
		}
	}
	w := t.Watermarks[kind]
	if w != nil && int(kind) < len(c.watermarks) {
		c.watermarks[kind] = w
	}
	return w
}

// marksOf returns principal i's marks, of a tenant with n principals;
// they are empty if i's entry of the table was another principal's.
// Dropping marks is always safe: it only makes Learn do the work again.
func (c *tenantCache) marksOf(i uint32, n int) *[2]mark { return &c.setOf(i, n).m }

// setOf returns principal i's entry of the table, of a tenant with n
// principals, emptied if it was another principal's.
func (c *tenantCache) setOf(i uint32, n int) *markSet {
	if len(c.marks) < min(n, maxMarkSets) {
		size := 16
		for size < min(n, maxMarkSets) {
			size *= 2
		}
		c.marks = make([]markSet, size)
	}
	s := &c.marks[i&uint32(len(c.marks)-1)]
	if s.owner != i+1 {
		*s = markSet{owner: i + 1}
	}
	return s
}

// resourceHash is ResourceHash(resource), remembered per principal: i of
// a tenant with n principals.
func (c *tenantCache) resourceHash(i uint32, n int, resource string) uint32 {
	s := c.setOf(i, n)
	if resource != s.res || s.res == "" {
		s.res, s.resHash = resource, ResourceHash(resource)
	}
	return s.resHash
}

// forget makes the marks of the principal whose use (index + 1) was
// evicted from an IP's (part markIP) or a network's (markNet) usage no
// longer vouch for that usage: which mark's IP or network it was is not
// known, so neither does.
func (c *tenantCache) forget(evicted uint32, part uint8) {
	if s := c.set(evicted); s != nil {
		s.m[0].flags &^= part
		s.m[1].flags &^= part
	}
}

// forgetCountry makes the marks of the principal whose use (index + 1)
// of country k was evicted no longer vouch for k. They still vouch for
// their IP: its slot and the IP and network usage still record it, so
// the principal's next use of it relearns only the country. With more
// principals in one country than a Usage remembers, nearly every use
// evicts another principal's.
func (c *tenantCache) forgetCountry(evicted uint32, k Country) {
	if s := c.set(evicted); s != nil {
		for j := range s.m {
			if s.m[j].country == k {
				s.m[j].country = 0
			}
		}
	}
}

// forgetCell is forgetCountry for the principal's use of cell k.
func (c *tenantCache) forgetCell(evicted uint32, k Cell) {
	if s := c.set(evicted); s != nil {
		for j := range s.m {
			if s.m[j].flags&markCell != 0 && s.m[j].cell == k {
				s.m[j].flags &^= markCell
			}
		}
	}
}

// set returns the mark set of the principal with index owner-1, nil if
// the table holds none.
func (c *tenantCache) set(owner uint32) *markSet {
	if owner == 0 || len(c.marks) == 0 {
		return nil
	}
	if s := &c.marks[(owner-1)&uint32(len(c.marks)-1)]; s.owner == owner {
		return s
	}
	return nil
}

// prune drops the marks of uses before day cut, which Prune may have
// forgotten.
func (c *tenantCache) prune(cut uint32) {
	for i := range c.marks {
		for j := range c.marks[i].m {
			if c.marks[i].m[j].day < cut {
				c.marks[i].m[j].flags = 0
			}
		}
	}
}

// use is one located use being learned.
type use struct {
	ip      IPKey
	cell    Cell
	country Country
	hasCell bool
}

// vouches reports whether m says p's use u on day is already recorded:
// u's IP, and its country and cell when it has them, are those of the
// mark's use. A use without a country or cell records a part of what one
// with them does (an activity that is not a user's interactive one next to
// the user's sign-ins from the same IP).
func (m *mark) vouches(p *Principal, u *use, day uint32) bool {
	return m.vouchesIP(p, u, day) && m.flags&(markIP|markNet) == markIP|markNet && !m.needsCountry(u) && !m.needsCell(u)
}

// vouchesIP reports whether m says p's use of u's IP on day is recorded
// in the principal's slot (and, as its flags say, in the tenant's IP and
// network usage).
func (m *mark) vouchesIP(p *Principal, u *use, day uint32) bool {
	return m.flags&markOK != 0 && day <= m.day && p.IPs[m.slot].Addr == u.ip
}

// needsCountry reports whether u has a country m does not vouch for.
func (m *mark) needsCountry(u *use) bool { return u.country != 0 && m.country != u.country }

// needsCell reports whether u has a cell m does not vouch for.
func (m *mark) needsCell(u *use) bool {
	return u.hasCell && (m.flags&markCell == 0 || m.cell != u.cell)
}

// known reports whether one of ms vouches for p's use u on day, keeping
// the one that does first.
func known(ms *[2]mark, p *Principal, u *use, day uint32) bool {
	if ms[0].vouches(p, u, day) {
		return true
	}
	if ms[1].vouches(p, u, day) {
		ms[0], ms[1] = ms[1], ms[0]
		return true
	}
	return false
}

// ipMark returns the one of ms that vouches for p's use of u's IP on day,
// nil if none does.
func ipMark(ms *[2]mark, p *Principal, u *use, day uint32) *mark {
	for j := range ms {
		if ms[j].vouchesIP(p, u, day) {
			return &ms[j]
		}
	}
	return nil
}

// remember makes u on day, whose IP is in principal slot slot, the latest
// mark. Marks of a reused IP slot or an evicted country go: the principal
// no longer records what they vouch for.
func remember(ms *[2]mark, u *use, day uint32, slot int, slotReused bool, evictedCountry Country) {
	for j := range ms {
		if (slotReused && int(ms[j].slot) == slot) || (evictedCountry != 0 && ms[j].country == evictedCountry) {
			ms[j].flags = 0
		}
	}
	m := mark{cell: u.cell, day: day, country: u.country, slot: uint8(slot)}
	if day != 0 { // a principal slot with day 0 counts as empty
		m.flags = markOK | markIP | markNet
	}
	if u.hasCell {
		m.flags |= markCell
	}
	ms[1], ms[0] = ms[0], m
}
