package pipeline

import (
	"net/netip"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/event"
)

// fixTags caches, per tenant and principal index, the IP lists' tags of
// the principal's fix (the detections' PrevTags): a fix moves only with
// location evidence, and then to the address of the event whose own tags
// were just computed. An entry holds the tags of one address under one
// version of the lists, so it answers for whichever principal has that
// index, and never after a reload. Only used when the lists are
// Versioned. Entries are kept by tenant ID, not by the *Tenant: a
// baseline restored in place has new Tenant objects for the same
// tenants, whose entries still answer (each checks its address and
// version), and keying by pointer kept a set per restore.
type fixTags struct {
	tenant   *baseline.Tenant
	cur      []fixTag // tenant's entries
	byTenant map[string][]fixTag
}

type fixTag struct {
	ip      netip.Addr
	version uint64
	tags    []detect.IPTag
	set     bool
}

// entry returns principal i's entry in tenant t.
func (f *fixTags) entry(t *baseline.Tenant, i uint32) *fixTag {
	if t != f.tenant {
		if f.byTenant == nil {
			f.byTenant = map[string][]fixTag{}
		}
		if f.tenant != nil {
			f.byTenant[f.tenant.ID] = f.cur
		}
		f.tenant, f.cur = t, f.byTenant[t.ID]
	}
	if int(i) >= len(f.cur) {
		f.cur = append(f.cur, make([]fixTag, int(i)+1-len(f.cur))...)
	}
	return &f.cur[i]
}

// touch loads the entry of the principal with index + 1 in tenant, when
// it is in the tenant of the last entry.
func (f *fixTags) touch(tenant string, index uint32) uint64 {
	if index == 0 || f.tenant == nil || f.tenant.ID != tenant || int(index) > len(f.cur) {
		return 0
	}
	return f.cur[index-1].version
}

// fixTags returns the tags of ip, principal i's fix in tenant t, under
// the lists of the given version.
func (p *Pipeline) fixTags(t *baseline.Tenant, i uint32, ip netip.Addr, version uint64, versioned bool) []detect.IPTag {
	if !versioned {
		return p.tags(ip)
	}
	c := p.fixes.entry(t, i)
	if !c.set || c.ip != ip || c.version != version {
		*c = fixTag{ip: ip, version: version, tags: p.versionedTags(ip, version), set: true}
	}
	return c.tags
}

// learnedFix notes that principal i's fix may have moved to e's source
// IP, whose lists' tags are listed.
func (p *Pipeline) learnedFix(t *baseline.Tenant, i uint32, e *event.Event, version uint64, listed []detect.IPTag) {
	if int(i) >= t.NumPrincipals() {
		return
	}
	fix := &t.Principals[i].Fix
	if fix.Time == 0 || fix.IP != e.SourceIP.Unmap() {
		return
	}
	if c := p.fixes.entry(t, i); !c.set || c.ip != fix.IP || c.version != version {
		*c = fixTag{ip: fix.IP, version: version, tags: listed, set: true}
	}
}
