package netdetect

import (
	"net/netip"
	"slices"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/inventory"
)

// closeHour evaluates and learns every host of the hour starting at hour.
func (e *Engine) closeHour(hour int64) []event.Alert {
	hosts := e.open[hour].hosts
	start := time.Unix(hour, 0).UTC()
	type entry struct {
		k hostKey
		h hourView
	}
	all := make([]entry, 0, hosts.n)
	hosts.each(func(k hostKey, h hourView) { all = append(all, entry{k, h}) })
	slices.SortFunc(all, func(a, b entry) int { return a.k.compare(b.k) })
	var out []event.Alert
	var hot, active [numChannels]uint32
	for _, x := range all {
		k, h, ip := x.k, &x.h, x.k.ip
		host, ok := e.holder(k, start)
		if !ok {
			e.counters.NotHeld++
			continue
		}
		hist := e.history[host.Name]
		if hist == nil {
			hist = &History{}
			e.history[host.Name] = hist
		}
		cfg := e.rulesFor(host.Subscription)
		alerts, alerted, hds := e.evaluate(cfg, ip, host, hist, h, start)
		out = append(out, alerts...)
		out = append(out, e.successAlerts(cfg, ip, host, h, hds, start)...)
		if cfg.C2 {
			out = append(out, e.c2Alert(ip, host, h, start)...)
		}
		for ch := range numChannels {
			if n := h.channel(ch).counted(incoming(ch)); n > 0 {
				active[ch]++
				if n >= e.lowestThreshold(ch) {
					hot[ch]++
				}
			}
		}
		hist.update(h, alerted)
	}
	e.env.update(hot, active)
	e.counters.HoursClosed++
	e.counters.Alerts += uint64(len(out))
	return out
}

// holder applies the one-hour rule; IPs of Config.MonitorPrefixes that the
// inventory does not know are their own host.
func (e *Engine) holder(k hostKey, start time.Time) (inventory.Host, bool) {
	if h, ok := e.inv.HeldForHourIn(k.scope, k.ip, start); ok {
		return h, true
	}
	if _, known := e.inv.LookupIn(k.scope, k.ip, start); known {
		return inventory.Host{}, false
	}
	for _, p := range e.cfg.MonitorPrefixes {
		if p.Contains(k.ip) {
			return inventory.Host{Name: k.ip.String()}, true
		}
	}
	return inventory.Host{}, false
}

// rulesFor returns the settings for a host of subscription: Deps.Rules's,
// else the Engine's own.
func (e *Engine) rulesFor(subscription string) *Config {
	if e.rules == nil || subscription == "" {
		return &e.cfg
	}
	if c := e.rules(subscription); c != nil {
		return c
	}
	return &e.cfg
}

// lowestThreshold is the smallest enabled one-to-one or total threshold of
// ch in the Engine's own Config. The environment's "hot" share measures
// every host against the same bar, whatever its subscription's overrides.
func (e *Engine) lowestThreshold(ch int) uint32 {
	lo := uint32(1 << 31)
	for i := range Detections {
		d := &Detections[i]
		if r := e.cfg.rule(d); d.channel == ch && r.Enabled {
			lo = min(lo, r.MinConns)
		}
	}
	return lo
}

// verdict is one detection's outcome on one host-hour.
type verdict struct {
	d        *Detection
	value    uint32 // guaranteed attempts to/from the top peer, or distinct peers
	total    uint32
	usual    float32
	hasHist  bool
	envShare float32
}

// evaluate runs the brute-force detections on one host-hour with the
// settings of the host's subscription. alerted marks the channels that
// raised an alert against the host's own history: those are not learned,
// so an attack that goes on does not become the host's normal. hds says
// which rules raised, for successAlerts.
func (e *Engine) evaluate(cfg *Config, ip netip.Addr, host inventory.Host, hist *History, h *hourView, start time.Time) (out []event.Alert, alerted [numChannels]bool, hds [numChannels]held) {
	for i := range Detections {
		d := &Detections[i]
		rule := cfg.rule(d)
		if !rule.Enabled {
			continue
		}
		c := h.channel(d.channel)
		v := verdict{d: d, total: c.counted(incoming(d.channel)), envShare: e.env.HotShare[d.channel]}
		v.hasHist = hist.Hours >= uint32(cfg.MinHistoryHours)
		if d.many {
			v.value, v.usual = c.peerCount(), hist.Peers[d.channel]
			if v.value < rule.MinPeers || v.total < rule.MinConns {
				continue
			}
		} else {
			// The lower bound: a one-to-one alert needs one peer proven
			// to reach MinConns, whatever the heavy-hitter error.
			v.value, v.usual = c.Top.best().Min(), hist.Conns[d.channel]
			if v.value < rule.MinConns {
				continue
			}
		}
		if v.hasHist && float64(v.value) <= cfg.AnomalyFactor*max(float64(v.usual), 1) {
			continue // normal for this host
		}
		out = append(out, e.bruteAlert(ip, host, h, c, &v, rule, cfg.TopN, start))
		alerted[d.channel] = alerted[d.channel] || v.hasHist
		if d.many {
			hds[d.channel].many = true
		} else {
			hds[d.channel].one = rule.MinConns
		}
	}
	return out, alerted, hds
}
