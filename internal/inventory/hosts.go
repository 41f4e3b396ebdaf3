package inventory

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// HostIP is an address a host held: from the inventory file (From/To
// zero when unbounded) or learned from flow logs (first and last seen).
type HostIP struct {
	IP     string    `json:"ip"`
	Source string    `json:"source"` // "file" or "learned"
	From   time.Time `json:"from,omitzero"`
	To     time.Time `json:"to,omitzero"`
}

// HostIPs returns the host named name (case-insensitive) and the addresses
// it held, newest first; ok is false when no mapping names it.
func (inv *Inventory) HostIPs(name string) (h Host, ips []HostIP, ok bool) {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	for ip, ss := range inv.static {
		for _, s := range ss {
			if strings.EqualFold(s.host.Name, name) {
				h, ok = s.host, true
				ips = append(ips, HostIP{IP: ip.String(), Source: "file", From: unixTime(s.from), To: unixTime(s.to)})
			}
		}
	}
	for k, l := range inv.learned {
		for _, sg := range l.segs[:l.n] {
			if hh := inv.hosts[sg.host]; strings.EqualFold(hh.Name, name) {
				if !ok {
					h, ok = hh, true
				}
				ips = append(ips, HostIP{IP: k.ip.String(), Source: "learned", From: unixTime(sg.first), To: unixTime(sg.last)})
			}
		}
	}
	slices.SortFunc(ips, func(a, b HostIP) int {
		return cmp.Or(b.From.Compare(a.From), cmp.Compare(a.IP, b.IP), cmp.Compare(a.Source, b.Source))
	})
	return h, ips, ok
}

func unixTime(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
