package netdetect

// hostHour is one monitored IP's open hour as the Engine keeps it: 96
// bytes, with its key (see hostTable), plus what it uses. A channel
// (service and direction) is allocated by its first flow, the rare parts
// by the first listed peer or successful login; a host with no SSH or RDP
// traffic pays for none of them. HostHour is its snapshot form.
type hostHour struct {
	hi, lo   uint64 // the address, and
	lastTime int64
	record   int
	source   string // where the latest flow came from, for evidence
	scope    uint32 // its scope's index in the hostTable
	flows    uint32
	ch       [numChannels]*channel
	rare     *hostRare
}

// hostRare is what few host-hours have: listed peers (C2) and successful
// logins.
type hostRare struct {
	c2     [c2Slots]C2Hit
	c2More uint32
	auth   *AuthHits // nil until the first login
}

// extra returns h's rare parts, allocating them.
func (h *hostHour) extra() *hostRare {
	if h.rare == nil {
		h.rare = &hostRare{}
	}
	return h.rare
}

// logins returns h's successful logins, or nil.
func (h *hostHour) logins() *AuthHits {
	if h.rare == nil {
		return nil
	}
	return h.rare.auth
}

// channel is a Channel in 64 bytes plus its Heavy table: its distinct
// peers are counted from the Heavy table until the table first evicts
// (see distinct).
type channel struct {
	Attempts uint32 // allowed connections up to MaxAttemptBytes
	Failed   uint32 // allowed but unanswered (SYN without ACK, quick RST)
	Denied   uint32 // denied by a firewall
	Sessions uint32 // connections above MaxAttemptBytes
	Bytes    uint64
	Last     int64 // unix ms of the latest counted flow
	Top      Heavy // attempts per peer, for the one-to-one rules and evidence
	// peers counts distinct peers once Top has evicted one: nil before.
	peers *Distinct
}

// noChannel reads as a channel without flows; it is never written.
var noChannel channel

// channel returns h's channel ch, or noChannel when it saw no flow.
func (h *hostHour) channel(ch int) *channel {
	if c := h.ch[ch]; c != nil {
		return c
	}
	return &noChannel
}

// use returns h's channel ch, allocating it on its first flow.
func (h *hostHour) use(ch int) *channel {
	if h.ch[ch] == nil {
		h.ch[ch] = &channel{}
	}
	return h.ch[ch]
}

// counted is what the channel's rules compare against thresholds.
func (c *channel) counted(incoming bool) uint32 {
	if incoming {
		return c.Attempts
	}
	return c.Attempts + c.Failed + c.Denied
}

// addPeer counts w attempts of peer. Every counted peer enters Top when it
// is first counted, in that order, and Top keeps it until it evicts; so
// until then the Distinct of Top's peers is the channel's, and only the
// eviction (a 65th peer) makes the channel keep its own, built from Top
// just before it.
func (c *channel) addPeer(peer [16]byte, w uint32) {
	if c.peers == nil && len(c.Top) == maxPeers && !c.Top.has(peer) {
		d := c.Top.distinct()
		c.peers = &d
	}
	if c.peers != nil {
		c.peers.Add(hashAddr(peer))
	}
	c.Top.add(peer, w)
}

// distinct is the channel's distinct peers.
func (c *channel) distinct() Distinct {
	if c.peers != nil {
		return *c.peers
	}
	return c.Top.distinct()
}

// peerCount is the (estimated) number of distinct peers.
func (c *channel) peerCount() uint32 {
	d := c.distinct()
	return d.Count()
}

// export returns h in its snapshot form.
func (h *hostHour) export() HostHour {
	out := HostHour{Flows: h.flows, Source: h.source, Record: h.record, LastTime: h.lastTime}
	if x := h.rare; x != nil {
		out.C2, out.C2More, out.Auth = x.c2, x.c2More, x.auth
	}
	for i, c := range h.ch {
		if c != nil {
			out.Ch[i] = Channel{Attempts: c.Attempts, Failed: c.Failed, Denied: c.Denied, Sessions: c.Sessions,
				Bytes: c.Bytes, Last: c.Last, Peers: c.distinct(), Top: c.Top}
		}
	}
	return out
}

// load sets h from its snapshot form, keeping its key. A channel whose Top does
// not add up to its Peers (its table evicted) keeps them.
func (h *hostHour) load(a *HostHour) {
	h.flows, h.lastTime, h.record, h.source = a.Flows, a.LastTime, a.Record, a.Source
	h.ch, h.rare = [numChannels]*channel{}, nil
	if a.C2 != ([c2Slots]C2Hit{}) || a.C2More != 0 || a.Auth != nil {
		h.rare = &hostRare{c2: a.C2, c2More: a.C2More, auth: a.Auth}
	}
	for i := range a.Ch {
		s := &a.Ch[i]
		if s.Attempts|s.Failed|s.Denied|s.Sessions == 0 && s.Bytes == 0 && s.Last == 0 && s.Peers == (Distinct{}) && len(s.Top) == 0 {
			continue
		}
		c := &channel{Attempts: s.Attempts, Failed: s.Failed, Denied: s.Denied, Sessions: s.Sessions, Bytes: s.Bytes, Last: s.Last, Top: s.Top}
		if s.Top.distinct() != s.Peers {
			peers := s.Peers
			c.peers = &peers
		}
		h.ch[i] = c
	}
}
