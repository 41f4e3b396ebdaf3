package netdetect

import (
	"strings"

	"github.com/vedette/vedette/internal/inventory"
)

// channelNames name the channels in summaries.
var channelNames = [numChannels]string{chSSHIn: "ssh_in", chSSHOut: "ssh_out", chRDPIn: "rdp_in", chRDPOut: "rdp_out"}

// HostSummary is what the network baselines know of a host, for people:
// its addresses and its usual hourly levels per channel.
type HostSummary struct {
	Host         string             `json:"host"`
	Subscription string             `json:"subscription,omitempty"`
	IPs          []inventory.HostIP `json:"ips"`
	// Hours is how many closed hours the levels were learned from.
	Hours       uint32                   `json:"hours"`
	UsualHourly map[string]ChannelLevels `json:"usual_hourly"`
}

// ChannelLevels are a host's usual levels on one channel (service and
// direction): smoothed attempts and distinct peers per hour, and the most
// attempts of one learned hour. Hours that alerted are not learned.
type ChannelLevels struct {
	AttemptsMean float64 `json:"attempts_mean"`
	AttemptsMax  uint32  `json:"attempts_max"`
	PeersMean    float64 `json:"peers_mean"`
}

// HostSummary returns what the engine knows of the host named name
// (case-insensitive). Not safe alongside Observe: the caller serializes.
func (e *Engine) HostSummary(name string) (HostSummary, bool) {
	h, ips, known := e.inv.HostIPs(name)
	s := HostSummary{Host: h.Name, Subscription: h.Subscription, IPs: ips, UsualHourly: map[string]ChannelLevels{}}
	hist, ok := e.history[name]
	if ok && s.Host == "" {
		s.Host = name
	}
	if !ok {
		for n, hh := range e.history {
			if strings.EqualFold(n, name) {
				hist, ok, s.Host = hh, true, n
				break
			}
		}
	}
	if !ok && !known {
		return HostSummary{}, false
	}
	if s.IPs == nil {
		s.IPs = []inventory.HostIP{}
	}
	if ok {
		s.Hours = hist.Hours
		for ch := range numChannels {
			s.UsualHourly[channelNames[ch]] = ChannelLevels{
				AttemptsMean: float64(hist.Conns[ch]), AttemptsMax: hist.Max[ch], PeersMean: float64(hist.Peers[ch]),
			}
		}
	}
	return s, true
}
