package netdetect

// ewmaAlpha weighs the newest hour in host and environment baselines: about
// a day's worth of hours dominates.
const ewmaAlpha = 0.05

// History is one host's baseline, in 52 bytes: per channel, the smoothed
// hourly counted attempts and distinct peers over the hours it was seen,
// and the most attempts of one learned hour (shown to analysts).
type History struct {
	Hours uint32
	Conns [numChannels]float32
	Peers [numChannels]float32
	Max   [numChannels]uint32
}

func ewma(old float32, v uint32, n uint32) float32 {
	if n == 0 {
		return float32(v)
	}
	return old + ewmaAlpha*(float32(v)-old)
}

// update learns the closed hour h (after detection ran on it), except the
// channels in skip: they alerted against an established history, and
// learning them would make a sustained attack look normal a day later.
// During the first MinHistoryHours everything is learned: that is how a
// jump box's daily SSH becomes its normal.
func (hs *History) update(h *hourView, skip [numChannels]bool) {
	for ch := range numChannels {
		if skip[ch] {
			continue
		}
		c := h.channel(ch)
		n := c.counted(incoming(ch))
		hs.Conns[ch] = ewma(hs.Conns[ch], n, hs.Hours)
		hs.Max[ch] = max(hs.Max[ch], n)
		hs.Peers[ch] = ewma(hs.Peers[ch], c.peerCount(), hs.Hours)
	}
	hs.Hours++
}

// Env is what is normal in the environment, per channel: the smoothed
// share of active host-hours that reach each channel's lowest alerting
// threshold, and the hours seen.
type Env struct {
	Hours    uint32
	HotShare [numChannels]float32
}

// update learns one closed hour across all hosts.
func (e *Env) update(hot, active [numChannels]uint32) {
	for ch := range numChannels {
		if active[ch] == 0 {
			continue
		}
		share := float32(hot[ch]) / float32(active[ch])
		if e.Hours == 0 {
			e.HotShare[ch] = share
		} else {
			e.HotShare[ch] += ewmaAlpha * (share - e.HotShare[ch])
		}
	}
	e.Hours++
}
