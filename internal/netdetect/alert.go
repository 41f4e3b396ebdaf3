package netdetect

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/inventory"
)

// bruteAlert builds a brute-force alert for one host-hour.
func (e *Engine) bruteAlert(ip netip.Addr, host inventory.Host, h *hourView, c *channel, v *verdict, rule Rule, topN int, start time.Time) event.Alert {
	d := v.d
	peers := heaviest(c, topN)
	a := e.baseAlert(d, ip, host, start, c.Last)
	a.Confidence, a.Factors = bruteConfidence(v, rule, peers)
	role := "attacker"
	if !incoming(d.channel) {
		role = "target"
	}
	for _, p := range peers {
		a.Entities = append(a.Entities, event.Entity{Type: "ip", ID: p.IP().String(), Role: role})
		a.Evidence = append(a.Evidence, e.evidence(d, ip, host, h, start, p.IP(), "attempts="+attempts(p)))
	}
	a.ID = alertID(d, host, start, a.Evidence)
	a.Description = describe(d, ip, host, c, v, peers, start)
	a.Remediation = remediation[d.channel]
	return a
}

func (e *Engine) baseAlert(d *Detection, ip netip.Addr, host inventory.Host, start time.Time, last int64) event.Alert {
	a := event.Alert{
		Detection: d.ID, Name: d.Name, AlertType: d.AlertType, Severity: d.Severity, MITRE: d.MITRE,
		Time: time.UnixMilli(last).UTC(), Subscription: host.Subscription, Principal: host.Name,
		Entities: []event.Entity{{Type: "host", ID: host.Name}, {Type: "ip", ID: ip.String(), Role: "host"}},
	}
	if last == 0 {
		a.Time = start.Add(time.Hour)
	}
	if host.Subscription != "" {
		a.Entities = append(a.Entities, event.Entity{Type: "subscription", ID: host.Subscription})
	}
	return a
}

// evidence summarises the host-hour's flows with one peer. Its key is a
// deterministic flow-aggregate key: detection, host IP, peer and hour.
func (e *Engine) evidence(d *Detection, ip netip.Addr, host inventory.Host, h *hourView, start time.Time, peer netip.Addr, result string) event.Evidence {
	return event.Evidence{
		Key:  "netagg:" + d.ID + ":" + ip.String() + ":" + peer.String() + ":" + strconv.FormatInt(start.Unix(), 10),
		Time: start, Source: h.source, Record: h.record, Principal: host.Name, IP: peer.String(),
		Operation: strings.ToLower(strings.ReplaceAll(d.AlertType, "_", "-")), Result: result, Resource: host.Resource,
	}
}

func alertID(d *Detection, host inventory.Host, start time.Time, ev []event.Evidence) string {
	keys := []string{start.Format(time.RFC3339)}
	for _, x := range ev {
		keys = append(keys, x.Key)
	}
	return event.AlertID(d.ID, "", host.Name, keys...)
}

// heaviest returns up to n peers, heaviest guaranteed count first, then
// heaviest upper bound, ties by address.
func heaviest(c *channel, n int) []Peer {
	var ps []Peer
	for _, p := range c.Top {
		if p.Count > 0 {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b Peer) int {
		if a.Min() != b.Min() {
			return cmp.Compare(b.Min(), a.Min())
		}
		if a.Count != b.Count {
			return cmp.Compare(b.Count, a.Count)
		}
		return a.IP().Compare(b.IP())
	})
	return ps[:min(len(ps), max(n, 0))]
}

// attempts formats a peer's count: exact, or its guaranteed range.
func attempts(p Peer) string {
	if p.Exact() {
		return strconv.FormatUint(uint64(p.Count), 10)
	}
	return fmt.Sprintf("%d-%d", p.Min(), p.Count)
}

// bruteConfidence scores an alert from how far it exceeds its threshold,
// the host's own history and how common such hours are in the environment.
func bruteConfidence(v *verdict, rule Rule, peers []Peer) (float64, []event.Factor) {
	thr := rule.MinConns
	if v.d.many {
		thr = rule.MinPeers
	}
	ratio := float64(v.value) / float64(max(thr, 1))
	over := min((ratio-1)/4, 1) * 0.3
	f := []event.Factor{{Name: "above_threshold", Weight: over, Detail: fmt.Sprintf("%d vs threshold %d", v.value, thr)}}
	if v.hasHist {
		f = append(f, event.Factor{Name: "unusual_for_host", Weight: 0.15, Detail: fmt.Sprintf("host usually %.1f per hour", v.usual)})
	} else {
		f = append(f, event.Factor{Name: "no_host_history", Weight: -0.1, Detail: "host has too little history to call this hour unusual"})
	}
	if v.envShare > 0.2 {
		f = append(f, event.Factor{Name: "common_in_environment", Weight: -0.2, Detail: fmt.Sprintf("%.0f%% of active hosts reach this level", v.envShare*100)})
	}
	if incoming(v.d.channel) && len(peers) > 0 && isPublic(peers[0].IP()) {
		f = append(f, event.Factor{Name: "internet_source", Weight: 0.05, Detail: peers[0].IP().String()})
	}
	conf := 0.55
	for _, x := range f {
		conf += x.Weight
	}
	return min(max(conf, 0.05), 0.99), f
}

func isPublic(ip netip.Addr) bool {
	return ip.IsGlobalUnicast() && !ip.IsPrivate()
}

func describe(d *Detection, ip netip.Addr, host inventory.Host, c *channel, v *verdict, peers []Peer, start time.Time) string {
	dir, who := "from", "sources"
	if !incoming(d.channel) {
		dir, who = "to", "destinations"
	}
	var top []string
	for _, p := range peers {
		top = append(top, fmt.Sprintf("%s (%s)", p.IP(), attempts(p)))
	}
	return fmt.Sprintf("%s: host %s (%s) had %d short %s connection attempts %s %d %s between %s and %s UTC "+
		"(%d unanswered, %d denied, %d longer sessions, %d bytes). Top %s: %s.",
		d.Name, host.Name, ip, v.total, service(d.channel), dir, c.peerCount(), who,
		start.Format("2006-01-02 15:04"), start.Add(time.Hour).Format("15:04"),
		c.Failed, c.Denied, c.Sessions, c.Bytes, who, strings.Join(top, ", "))
}

// c2Alert raises Network_CommunicationWithC2 for a host-hour that talked to
// listed addresses.
func (e *Engine) c2Alert(ip netip.Addr, host inventory.Host, h *hourView, start time.Time) []event.Alert {
	if h.rare == nil || h.rare.c2[0].Flows == 0 {
		return nil
	}
	d := &C2Detection
	var last int64
	var parts []string
	a := e.baseAlert(d, ip, host, start, 0)
	best := 0.0
	for _, hit := range h.rare.c2 {
		if hit.Flows == 0 {
			continue
		}
		peer := netip.AddrFrom16(hit.Addr).Unmap()
		entry, _ := e.ti.Lookup(peer, time.UnixMilli(hit.Last))
		best = max(best, entry.Confidence)
		last = max(last, hit.Last)
		dir := "inbound from"
		if hit.Out {
			dir = "outbound to"
		}
		parts = append(parts, fmt.Sprintf("%s %s port %d: %d flows, %d bytes (listed by %s %s)", dir, peer, hit.Port, hit.Flows, hit.Bytes, entry.Feed, entry.Indicator))
		a.Entities = append(a.Entities, event.Entity{Type: "ip", ID: peer.String(), Role: "malicious"})
		a.Evidence = append(a.Evidence, e.evidence(d, ip, host, h, start, peer, fmt.Sprintf("flows=%d bytes=%d", hit.Flows, hit.Bytes)))
	}
	a.Time = time.UnixMilli(last).UTC()
	a.Factors = []event.Factor{{Name: "ti_confidence", Weight: best, Detail: "confidence of the threat-intel indicator"}}
	a.Confidence = min(max(best, 0.05), 0.99)
	a.ID = alertID(d, host, start, a.Evidence)
	more := ""
	if h.rare.c2More > 0 {
		more = fmt.Sprintf(" and %d more flows with other listed addresses", h.rare.c2More)
	}
	a.Description = fmt.Sprintf("%s: host %s (%s) communicated with threat-intel listed addresses between %s and %s UTC: %s%s.",
		d.Name, host.Name, ip, start.Format("2006-01-02 15:04"), start.Add(time.Hour).Format("15:04"), strings.Join(parts, "; "), more)
	a.Remediation = c2Remediation
	return []event.Alert{a}
}
