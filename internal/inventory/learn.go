package inventory

import (
	"net/netip"
	"strings"

	"github.com/vedette/vedette/internal/flow"
)

// FromRecord names the host an Azure flow log tuple was logged for: the VM
// side of the tuple (destination of inbound, source of outbound) is the NIC
// whose MAC address the log names. ok is false for records that name no NIC
// (IPFIX/NetFlow).
func FromRecord(r *flow.Record) (ip netip.Addr, h Host, ok bool) {
	if r.MAC == "" {
		return netip.Addr{}, Host{}, false
	}
	switch r.Direction {
	case flow.DirectionIn:
		ip = r.Dst
	case flow.DirectionOut:
		ip = r.Src
	default:
		return netip.Addr{}, Host{}, false
	}
	h = Host{Name: "nic-" + strings.ToLower(r.MAC), Resource: r.Resource, Subscription: Subscription(r.Resource)}
	return ip.Unmap(), h, true
}

// LearnRecord learns the mapping an Azure flow log tuple states, if any.
func (inv *Inventory) LearnRecord(r *flow.Record) {
	if ip, h, ok := FromRecord(r); ok {
		inv.Learn(ip, h, r.Time())
	}
}

// Subscription extracts the lower-case subscription ID from an Azure
// resource ID, or "".
func Subscription(resourceID string) string {
	parts := strings.Split(resourceID, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "subscriptions") {
			return strings.ToLower(parts[i+1])
		}
	}
	return ""
}

// Snapshot is the learned state of an Inventory in a gob-friendly form.
type Snapshot struct {
	Hosts   []Host
	Learned []LearnedIP
}

// LearnedIP is one IP's learned segments in its scope (the subscription
// of the flow logs that stated them; empty in older snapshots).
type LearnedIP struct {
	IP       netip.Addr
	Scope    string
	Segments []Segment
}

// Segment says IP was Hosts[Host] from First to Last (unix seconds).
type Segment struct {
	Host        uint32
	First, Last int64
}

// Snapshot returns the learned mappings (file mappings are reloaded from
// the file instead).
func (inv *Inventory) Snapshot() Snapshot {
	inv.mu.RLock()
	defer inv.mu.RUnlock()
	s := Snapshot{Hosts: append([]Host(nil), inv.hosts...)}
	for k, l := range inv.learned {
		li := LearnedIP{IP: k.ip, Scope: k.scope}
		for _, sg := range l.segs[:l.n] {
			li.Segments = append(li.Segments, Segment{Host: sg.host, First: sg.first, Last: sg.last})
		}
		s.Learned = append(s.Learned, li)
	}
	return s
}

// Restore replaces the learned mappings with s. Invalid host references
// are skipped.
func (inv *Inventory) Restore(s Snapshot) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.hosts, inv.hostIdx = nil, map[Host]uint32{}
	inv.learned, inv.scopes = map[key]*learned{}, map[netip.Addr][]string{}
	remap := make([]uint32, len(s.Hosts))
	for i, h := range s.Hosts {
		remap[i] = inv.intern(h)
	}
	for _, li := range s.Learned {
		if len(inv.learned) >= inv.maxLearned {
			break
		}
		l := &learned{}
		for _, sg := range li.Segments {
			if int(sg.Host) < len(remap) && int(l.n) < segmentsPerIP {
				l.segs[l.n] = segment{host: remap[sg.Host], first: sg.First, last: sg.Last}
				l.n++
			}
		}
		k := key{li.Scope, li.IP}
		if _, dup := inv.learned[k]; !dup {
			inv.scopes[k.ip] = append(inv.scopes[k.ip], k.scope)
		}
		inv.learned[k] = l
	}
}
