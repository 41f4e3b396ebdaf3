package gen

import (
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Password-spray labels follow the definition of a spray, not the
// detector's data structures: at least sprayAccounts distinct accounts
// failing from one /24 within sprayWindow. The label is on the failure
// that makes the count reach it; a spray that reaches it again after the
// window emptied is a new wave with its own label.
const (
	sprayAccounts = 10
	sprayWindow   = time.Hour
)

// sprayFail is one failed sign-in of a spray.
type sprayFail struct {
	t        time.Time
	net      netip.Prefix
	upn, key string
}

// noteSpray records a spray failure for labelling.
func (g *generator) noteSpray(u *user, ep endpoint, key string, t time.Time) {
	net, _ := ep.IP.Prefix(24)
	g.sprays = append(g.sprays, sprayFail{t: t, net: net, upn: u.upn, key: key})
}

// labelSprays labels the sprays, in the (time, key) order Vedette reads
// events in.
func (g *generator) labelSprays() {
	slices.SortFunc(g.sprays, func(a, b sprayFail) int {
		if c := a.t.Compare(b.t); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	last := map[netip.Prefix]map[string]time.Time{}
	for _, f := range g.sprays {
		seen := last[f.net]
		if seen == nil {
			seen = map[string]time.Time{}
			last[f.net] = seen
		}
		since := f.t.Add(-sprayWindow)
		others, counted := 0, false
		for upn, at := range seen {
			if at.Before(since) {
				continue
			}
			if upn == f.upn {
				counted = true
			} else {
				others++
			}
		}
		if !counted && others+1 == sprayAccounts {
			g.labels = append(g.labels, Label{Detection: DetPasswordSpray, Principal: f.upn, Time: f.t, Key: f.key, Scenario: "password spray from " + f.net.String()})
		}
		seen[f.upn] = f.t
	}
}
