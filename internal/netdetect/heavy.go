package netdetect

import "net/netip"

// maxPeers is how many peers a channel counts per hour: exactly while it
// has seen at most that many, then with Space-Saving over as many slots.
const maxPeers = 64

// Peer is one peer's (scaled) attempts in a Heavy table. Count is an upper
// bound of the true count and Count-Err a lower bound; Err is 0 for every
// peer until the table first evicts, so small hours are counted exactly.
type Peer struct {
	Addr  [16]byte
	Count uint32
	Err   uint32
}

// IP returns the peer address.
func (p Peer) IP() netip.Addr { return netip.AddrFrom16(p.Addr).Unmap() }

// Min is the guaranteed count: the peer made at least this many attempts.
func (p Peer) Min() uint32 { return p.Count - p.Err }

// Exact says whether Count is the true count.
func (p Peer) Exact() bool { return p.Err == 0 }

// Heavy counts attempts per peer. Up to maxPeers distinct peers it is an
// exact map. Beyond, it is Space-Saving (Metwally, Agrawal and El Abbadi,
// 2005): a new peer takes the slot of the lowest count m, starting at m+w
// with Err m. For every kept peer Count-Err <= true <= Count, every Err is
// at most N/maxPeers (N the weight added to the channel), and any peer
// whose true count exceeds N/maxPeers is kept. The one-to-one rules compare
// Min with their thresholds, so interleaved botnet sources, whose evicted
// counts only ever land in Err, cannot raise them.
//
// It grows on demand (1, 4, 8, ..., 64 entries of 24 bytes) and is freed
// with its hour: a channel without attempts costs only the slice header,
// one with a single peer 24 bytes.
type Heavy []Peer

// add counts w attempts of peer a.
func (h *Heavy) add(a [16]byte, w uint32) {
	t := *h
	lo := 0
	for i := range t {
		if t[i].Addr == a {
			t[i].Count += w
			return
		}
		if t[i].Count < t[lo].Count {
			lo = i
		}
	}
	if len(t) < maxPeers {
		if len(t) == cap(t) {
			n := 1
			if cap(t) > 0 {
				n = min(max(2*cap(t), 4), maxPeers)
			}
			grown := make(Heavy, len(t), n)
			copy(grown, t)
			t = grown
		}
		*h = append(t, Peer{Addr: a, Count: w})
		return
	}
	m := t[lo].Count
	t[lo] = Peer{Addr: a, Count: m + w, Err: m}
}

// sub takes back w attempts of peer a (a flow counted as an attempt when it
// began turned out to be a session). Both bounds stay valid: Count-w is at
// least true-w, and the lower bound drops by w or to 0. A peer no longer
// kept is left alone: its attempt only ever inflated someone's Err.
func (h Heavy) sub(a [16]byte, w uint32) {
	for i := range h {
		if h[i].Addr == a {
			p := &h[i]
			p.Count -= min(p.Count, w)
			p.Err = min(p.Err, p.Count)
			return
		}
	}
}

// best returns the peer with the highest guaranteed count.
func (h Heavy) best() Peer {
	var b Peer
	for _, p := range h {
		if p.Min() > b.Min() || (p.Min() == b.Min() && p.Count > b.Count) {
			b = p
		}
	}
	return b
}

// find returns peer a's entry, or a zero Peer when the table does not keep it.
func (h Heavy) find(a [16]byte) Peer {
	for _, p := range h {
		if p.Addr == a {
			return p
		}
	}
	return Peer{}
}

// has says whether the table keeps peer a.
func (h Heavy) has(a [16]byte) bool {
	for i := range h {
		if h[i].Addr == a {
			return true
		}
	}
	return false
}

// distinct is the Distinct that counting the kept peers in table order
// builds.
func (h Heavy) distinct() Distinct {
	var d Distinct
	for i := range h {
		d.Add(hashAddr(h[i].Addr))
	}
	return d
}
