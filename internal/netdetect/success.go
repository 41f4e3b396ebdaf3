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

// successSlots is how many peers that logged in an incoming channel keeps
// per hour. When more log in, the peers with the most attempts are kept.
const successSlots = 16

// Successes lists the peers that authenticated successfully on one
// incoming channel in one hour, with their (scaled) successful
// connections. Beyond successSlots peers, a newcomer takes the slot of the
// kept peer with the fewest attempts if it has more; the logins of the
// peer left out are counted in More. While More is 0 every count is exact;
// after, a peer left out and seen again restarts from its new logins, so
// counts are lower bounds.
type Successes struct {
	Addr   [successSlots][16]byte
	Logins [successSlots]uint32
	N      uint8
	More   uint32
}

// AuthHits is a host-hour's successful logins per incoming channel (SSH,
// RDP): 656 bytes, only for host-hours that saw one.
type AuthHits struct {
	In [2]Successes
}

// authIndex maps an incoming channel to its AuthHits slot.
func authIndex(ch int) int { return ch / 2 }

// noteSuccess records that peer logged in on incoming channel ch (after
// count has added the flow to the channel's Heavy table).
func (t *hostTable) noteSuccess(h *hostHour, ch int, peer [16]byte, w uint32) {
	top := t.use(h, ch).Top
	x := t.extra(h)
	if x.auth == nil {
		x.auth = &AuthHits{}
	}
	x.auth.In[authIndex(ch)].add(peer, w, top)
}

func (s *Successes) add(peer [16]byte, w uint32, top Heavy) {
	lo := 0
	for i := range int(s.N) {
		if s.Addr[i] == peer {
			s.Logins[i] += w
			return
		}
		if top.find(s.Addr[i]).Count < top.find(s.Addr[lo]).Count {
			lo = i
		}
	}
	if s.N < successSlots {
		s.Addr[s.N], s.Logins[s.N] = peer, w
		s.N++
		return
	}
	if top.find(peer).Count <= top.find(s.Addr[lo]).Count {
		s.More += w
		return
	}
	s.More += s.Logins[lo]
	s.Addr[lo], s.Logins[lo] = peer, w
}

// held says which incoming rules of a channel raised in a host-hour: one is
// the one-to-one rule's min_conns (0 when it did not raise), many whether
// the many-to-one rule raised.
type held struct {
	one  uint32
	many bool
}

// intruder is a source that took part in the brute force and logged in.
type intruder struct {
	Peer          // its attempts in the hour
	logins uint32 // its successful connections
	exact  bool   // logins is exact, not a lower bound
}

// loginCount formats an intruder's logins: exact, or ">=" a lower bound.
func (x *intruder) loginCount() string {
	if x.exact {
		return strconv.FormatUint(uint64(x.logins), 10)
	}
	return ">=" + strconv.FormatUint(uint64(x.logins), 10)
}

// intruders returns the sources of s that the rules in hd counted: for
// one-to-one, a source proven to reach min_conns; for many-to-one, any
// source of the hour's attempts (a source the Heavy table no longer keeps,
// in an hour of more than 64 sources, is not named). Most attempts first.
func intruders(s *Successes, top Heavy, hd held) []intruder {
	var out []intruder
	for i := range int(s.N) {
		p := top.find(s.Addr[i])
		if (hd.one > 0 && p.Min() >= hd.one) || (hd.many && p.Count > 0) {
			out = append(out, intruder{p, s.Logins[i], s.More == 0})
		}
	}
	slices.SortFunc(out, func(a, b intruder) int {
		if a.Min() != b.Min() {
			return cmp.Compare(b.Min(), a.Min())
		}
		return a.IP().Compare(b.IP())
	})
	return out
}

// successAlerts raises the SuccessDetections of one host-hour: an incoming
// rule of the channel raised (hds, from evaluate, so the history rule
// applies too) and a source it counted logged in.
func (e *Engine) successAlerts(cfg *Config, ip netip.Addr, host inventory.Host, h *hourView, hds [numChannels]held, start time.Time) []event.Alert {
	auth := h.logins()
	if auth == nil {
		return nil
	}
	var out []event.Alert
	for i := range SuccessDetections {
		d := &SuccessDetections[i]
		c := h.channel(d.channel)
		if !cfg.successEnabled(d) {
			continue
		}
		in := intruders(&auth.In[authIndex(d.channel)], c.Top, hds[d.channel])
		if len(in) == 0 {
			continue
		}
		out = append(out, e.successAlert(d, ip, host, h, hds[d.channel], in, start))
	}
	return out
}

func (e *Engine) successAlert(d *Detection, ip netip.Addr, host inventory.Host, h *hourView, hd held, in []intruder, start time.Time) event.Alert {
	c := h.channel(d.channel)
	a := e.baseAlert(d, ip, host, start, c.Last)
	var parts []string
	for _, x := range in {
		a.Entities = append(a.Entities, event.Entity{Type: "ip", ID: x.IP().String(), Role: "attacker"})
		a.Evidence = append(a.Evidence, e.evidence(d, ip, host, h, start, x.IP(), fmt.Sprintf("attempts=%s logins=%s", attempts(x.Peer), x.loginCount())))
		parts = append(parts, fmt.Sprintf("%s (%s attempts, %s successful)", x.IP(), attempts(x.Peer), x.loginCount()))
	}
	a.Confidence, a.Factors = successConfidence(hd, in)
	a.ID = alertID(d, host, start, a.Evidence)
	var rules []string
	if hd.one > 0 {
		rules = append(rules, "one-to-one")
	}
	if hd.many {
		rules = append(rules, "many-to-one")
	}
	a.Description = fmt.Sprintf("%s: host %s (%s) was brute-forced over %s between %s and %s UTC (%s: %d attempts from %d sources), "+
		"and %d of the attacking sources logged in: %s.",
		d.Name, host.Name, ip, service(d.channel), start.Format("2006-01-02 15:04"), start.Add(time.Hour).Format("15:04"),
		strings.Join(rules, " and "), c.Attempts, c.peerCount(), len(in), strings.Join(parts, ", "))
	a.Remediation = successRemediation
	return a
}

// successConfidence starts high: the brute-force rule held and the login
// is a reported fact. A login from a source proven to have made the
// one-to-one rule's attempts is surer than one from a source among many.
func successConfidence(hd held, in []intruder) (float64, []event.Factor) {
	f := []event.Factor{{Name: "login_after_brute_force", Weight: 0.2, Detail: fmt.Sprintf("%d attacking sources logged in", len(in))}}
	if hd.one > 0 && in[0].Min() >= hd.one {
		f = append(f, event.Factor{Name: "heavy_attacker_logged_in", Weight: 0.1,
			Detail: fmt.Sprintf("%s made at least %d attempts", in[0].IP(), in[0].Min())})
	}
	if isPublic(in[0].IP()) {
		f = append(f, event.Factor{Name: "internet_source", Weight: 0.05, Detail: in[0].IP().String()})
	}
	conf := 0.6
	for _, x := range f {
		conf += x.Weight
	}
	return min(conf, 0.99), f
}
