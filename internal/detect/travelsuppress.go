package detect

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/event"
)

// Suppressions of impossible travel, in the order they are checked.
const (
	// SuppressDeclared: either address is on a declared vpn, corporate or
	// allow list.
	SuppressDeclared = "declared-list"
	// SuppressSharedIP: either address is used by several other principals.
	SuppressSharedIP = "shared-ip"
	// SuppressSharedNetwork: either address's network is.
	SuppressSharedNetwork = "shared-network"
	// SuppressOrgAnonymiser: either address is on an anonymity list and
	// other principals of the organisation use it: the staff's consumer
	// VPN, whose exit says nothing of where anyone is.
	SuppressOrgAnonymiser = "org-anonymiser"
	// SuppressUserHop: the user makes this hop again and again.
	SuppressUserHop = "habitual-hop-user"
	// SuppressOrgHop: several colleagues make this hop.
	SuppressOrgHop = "habitual-hop-org"
	// CheckCommonPlace is checked and listed, but only lowers the
	// confidence: colleagues use the new place.
	CheckCommonPlace = "common-place"
)

// TravelSuppressions lists the suppressions impossible travel can turn
// off (ImpossibleTravel.SuppressionsOff).
var TravelSuppressions = []string{SuppressDeclared, SuppressSharedIP, SuppressSharedNetwork, SuppressOrgAnonymiser, SuppressUserHop, SuppressOrgHop}

// suppression reports whether it applies to a trip and why (or why not).
type suppression func(d *ImpossibleTravel, in *Input, tr *trip) (bool, string)

var travelChecks = []struct {
	name string
	fn   suppression
}{
	{SuppressDeclared, (*ImpossibleTravel).declared},
	{SuppressSharedIP, (*ImpossibleTravel).sharedIP},
	{SuppressSharedNetwork, (*ImpossibleTravel).sharedNetwork},
	{SuppressOrgAnonymiser, (*ImpossibleTravel).orgAnonymiser},
	{SuppressUserHop, (*ImpossibleTravel).userHop},
	{SuppressOrgHop, (*ImpossibleTravel).orgHop},
}

// suppressed runs the suppressions in order and reports whether one
// applied; otherwise tr.checks says why each did not.
func (d *ImpossibleTravel) suppressed(in *Input, tr *trip) bool {
	tr.checks = make([]event.SuppressionCheck, 0, len(travelChecks)+1)
	for _, c := range travelChecks {
		applies, why := c.fn(d, in, tr)
		if applies {
			if !slices.Contains(d.SuppressionsOff, c.name) {
				return true
			}
			why += " (suppression turned off)"
		}
		tr.checks = append(tr.checks, event.SuppressionCheck{Name: c.name, Why: why})
	}
	cell := baseline.CellOf(in.Event.Location.Lat, in.Event.Location.Lon)
	others := in.Tenant.Cells[cell].Others(in.Index, in.WindowStart)
	check := event.SuppressionCheck{Name: CheckCommonPlace,
		Why: fmt.Sprintf("%d other principals used this place (≈55 km) in the window, fewer than %d", others, d.CommonPlacePrincipals)}
	if others >= d.CommonPlacePrincipals {
		tr.placeOthers = others
		check.Applied = true
		check.Why = fmt.Sprintf("%d other principals used this place (≈55 km) in the window: lowered the confidence; a place colleagues use is no reason to be quiet", others)
	}
	tr.checks = append(tr.checks, check)
	return false
}

func (d *ImpossibleTravel) declared(in *Input, _ *trip) (bool, string) {
	for i, tags := range [2][]IPTag{in.Tags, in.PrevTags} {
		for _, t := range tags {
			if t.Category == CategoryVPN || t.Category == CategoryCorporate || t.Category == CategoryAllow {
				return true, fmt.Sprintf("the %s address is on %s list %s", sideNames[i], t.Category, t.List)
			}
		}
	}
	return false, "neither address is on a vpn, corporate or allow list"
}

// sides are the two addresses of a trip, current first.
func sides(in *Input, tr *trip) [2]netip.Addr {
	return [2]netip.Addr{in.Event.SourceIP.Unmap(), tr.prev.IP}
}

var sideNames = [2]string{"current", "previous"}

func (d *ImpossibleTravel) sharedIP(in *Input, tr *trip) (bool, string) {
	var n [2]int
	for i, ip := range sides(in, tr) {
		n[i] = in.Tenant.IPUsage(ip).Others(in.Index, in.WindowStart)
		if n[i] >= d.SharedIPPrincipals {
			return true, fmt.Sprintf("the %s address %s is used by %d other principals", sideNames[i], ip, n[i])
		}
	}
	return false, fmt.Sprintf("other principals on the current address: %d, on the previous: %d; shared egress needs %d", n[0], n[1], d.SharedIPPrincipals)
}

func (d *ImpossibleTravel) sharedNetwork(in *Input, tr *trip) (bool, string) {
	var n [2]int
	var nets [2]netip.Prefix
	for i, ip := range sides(in, tr) {
		k := in.Tenant.NetOf(ip)
		nets[i] = in.Tenant.Prefix(k)
		n[i] = in.Tenant.NetUsage(k).Others(in.Index, in.WindowStart)
		if n[i] >= d.SharedNetworkPrincipals {
			return true, fmt.Sprintf("the %s network %s is used by %d other principals", sideNames[i], nets[i], n[i])
		}
	}
	return false, fmt.Sprintf("other principals on %s: %d, on %s: %d; shared egress needs %d", nets[0], n[0], nets[1], n[1], d.SharedNetworkPrincipals)
}

func hopOf(in *Input, tr *trip) baseline.HopKey {
	return baseline.HopOf(in.Tenant.FixEndpoint(tr.prev), in.Tenant.EndpointOf(in.Event))
}

func (d *ImpossibleTravel) userHop(in *Input, tr *trip) (bool, string) {
	n := in.Tenant.UserHopCount(in.Index, hopOf(in, tr), in.WindowStart)
	if n >= d.HabitualHops {
		return true, fmt.Sprintf("the user made this hop %d times in the window", n)
	}
	return false, fmt.Sprintf("the user made this hop %d times in the window, habitual needs %d", n, d.HabitualHops)
}

func (d *ImpossibleTravel) orgHop(in *Input, tr *trip) (bool, string) {
	n := in.Tenant.HopUsage(hopOf(in, tr)).Others(in.Index, in.WindowStart)
	if n >= d.OrgHopPrincipals {
		return true, fmt.Sprintf("%d other principals made this hop in the window", n)
	}
	return false, fmt.Sprintf("%d other principals made this hop in the window, the organisation's needs %d", n, d.OrgHopPrincipals)
}

func (d *ImpossibleTravel) orgAnonymiser(in *Input, tr *trip) (bool, string) {
	why := "neither address is on an anonymity list"
	for i, tags := range [2][]IPTag{in.Tags, in.PrevTags} {
		for _, t := range tags {
			if t.Category != CategoryTor && t.Category != CategoryAnonymousProxy && t.Category != CategoryAnonymousVPN {
				continue
			}
			ip := sides(in, tr)[i]
			n := in.Tenant.IPUsage(ip).Others(in.Index, in.WindowStart)
			if n >= d.OrgAnonymiserPrincipals {
				return true, fmt.Sprintf("the %s address %s is on %s list %s and %d other principals use it", sideNames[i], ip, t.Category, t.List, n)
			}
			why = fmt.Sprintf("the %s address %s is on %s list %s, used by %d other principals, the organisation's needs %d", sideNames[i], ip, t.Category, t.List, n, d.OrgAnonymiserPrincipals)
		}
	}
	return false, why
}
