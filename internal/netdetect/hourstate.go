package netdetect

import "math/bits"

// hostHour is one monitored IP's open hour as the Engine keeps it, in one
// 64-byte cache line without pointers (so the collector does not scan the
// hour's hosts): its key (see hostTable), the flow count and where the
// latest flow came from, and the indexes of what it uses in its table. A
// channel (service and direction) is allocated by its first flow, the
// rare parts by the first listed peer or successful login; a host with no
// SSH or RDP traffic pays for none of them. HostHour is its snapshot form,
// hourView its form with the parts resolved.
type hostHour struct {
	hi, lo   uint64 // the address, and
	scope    uint32 // its scope's index in the table
	flows    uint32
	lastTime int64
	record   int
	source   uint32              // index in the table's sources
	rare     uint32              // 1 + index in the table's rare parts; 0: none
	ch       [numChannels]uint32 // 1 + index in the table's channels; 0: no flow yet
}

// channel is a Channel in 64 bytes plus its Heavy table: its distinct
// peers are counted from the Heavy table until the table first evicts
// (see addPeer).
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

// hostRare is what few host-hours have: listed peers (C2) and successful
// logins.
type hostRare struct {
	c2     [c2Slots]C2Hit
	c2More uint32
	auth   *AuthHits // nil until the first login
}

// hourView is a host-hour with its parts resolved, for closing it and
// for snapshots: ch[i] is nil for a channel without flows, rare nil when
// it has none.
type hourView struct {
	flows    uint32
	lastTime int64
	record   int
	source   string
	ch       [numChannels]*channel
	rare     *hostRare
}

// noChannel reads as a channel without flows; it is never written.
var noChannel channel

// channel returns channel ch, or noChannel when it saw no flow.
func (h *hourView) channel(ch int) *channel {
	if c := h.ch[ch]; c != nil {
		return c
	}
	return &noChannel
}

// logins returns the successful logins, or nil.
func (h *hourView) logins() *AuthHits {
	if h.rare == nil {
		return nil
	}
	return h.rare.auth
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
// just before it. The peer's hash is computed only then.
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
func (h *hourView) export() HostHour {
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

// load sets h, added to t, from its snapshot form. A channel whose Top
// does not add up to its Peers (its table evicted) keeps them.
func (t *hostTable) load(h *hostHour, a *HostHour) {
	h.flows, h.lastTime, h.record, h.source = a.Flows, a.LastTime, a.Record, t.sourceIndex(a.Source)
	if a.C2 != ([c2Slots]C2Hit{}) || a.C2More != 0 || a.Auth != nil {
		*t.extra(h) = hostRare{c2: a.C2, c2More: a.C2More, auth: a.Auth}
	}
	for i := range a.Ch {
		s := &a.Ch[i]
		if s.Attempts|s.Failed|s.Denied|s.Sessions == 0 && s.Bytes == 0 && s.Last == 0 && s.Peers == (Distinct{}) && len(s.Top) == 0 {
			continue
		}
		c := t.use(h, i)
		*c = channel{Attempts: s.Attempts, Failed: s.Failed, Denied: s.Denied, Sessions: s.Sessions, Bytes: s.Bytes, Last: s.Last, Top: s.Top}
		if s.Top.distinct() != s.Peers {
			peers := s.Peers
			c.peers = &peers
		}
	}
}

// use returns h's channel ch, allocating it on its first flow.
func (t *hostTable) use(h *hostHour, ch int) *channel {
	if i := h.ch[ch]; i != 0 {
		return t.chans.at(i - 1)
	}
	i, c := t.chans.add()
	h.ch[ch] = i + 1
	return c
}

// extra returns h's rare parts, allocating them.
func (t *hostTable) extra(h *hostHour) *hostRare {
	if h.rare != 0 {
		return t.rares.at(h.rare - 1)
	}
	i, x := t.rares.add()
	h.rare = i + 1
	return x
}

// view resolves h's parts.
func (t *hostTable) view(h *hostHour) hourView {
	v := hourView{flows: h.flows, lastTime: h.lastTime, record: h.record, source: t.sources[h.source]}
	for i, c := range h.ch {
		if c != 0 {
			v.ch[i] = t.chans.at(c - 1)
		}
	}
	if h.rare != 0 {
		v.rare = t.rares.at(h.rare - 1)
	}
	return v
}

// slab holds values in chunks that never move (8, 16, ..., 256 entries,
// then 256 each), addressed by index.
type slab[T any] struct {
	chunks [][]T
	n      uint32
}

// add returns a new zero value and its index.
func (s *slab[T]) add() (uint32, *T) {
	i := s.n
	if k, off := chunkOf(i); off == 0 {
		size := 256
		if k < 6 {
			size = 8 << k
		}
		s.chunks = append(s.chunks, make([]T, size))
	}
	s.n++
	return i, s.at(i)
}

// at returns the value at index i.
func (s *slab[T]) at(i uint32) *T {
	k, off := chunkOf(i)
	return &s.chunks[k][off]
}

// chunkOf locates index i: chunk k < 6 holds 8<<k entries from 8(2^k-1),
// the ones after 256 each.
func chunkOf(i uint32) (k, off int) {
	if i < 504 {
		k = bits.Len32(i/8+1) - 1
		return k, int(i - 8*(1<<k-1))
	}
	i -= 504
	return 6 + int(i/256), int(i % 256)
}
