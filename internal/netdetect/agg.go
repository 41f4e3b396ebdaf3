package netdetect

import (
	"math"
	"math/bits"
)

// topPeers is how many peers an alert lists at most (Config.TopN).
const topPeers = 4

// exactPeers is how many distinct peers are counted exactly before the
// counter turns into a 512-bit linear-counting bitmap in the same words.
const exactPeers = 8

// Distinct counts distinct peers in 66 bytes: exactly up to 8 (their
// hashes), then approximately by linear counting over a 512-bit bitmap
// (standard error about 5% up to ~1000 peers, saturating near 3000).
type Distinct struct {
	W      [exactPeers]uint64
	N      uint8 // exact count while !Bitmap
	Bitmap bool
}

// Add counts a peer by its hash (never 0).
func (d *Distinct) Add(h uint64) {
	if h == 0 {
		h = 1
	}
	if !d.Bitmap {
		for i := range d.N {
			if d.W[i] == h {
				return
			}
		}
		if d.N < exactPeers {
			d.W[d.N] = h
			d.N++
			return
		}
		old := d.W
		d.W, d.Bitmap = [exactPeers]uint64{}, true
		for _, o := range old {
			d.set(o)
		}
	}
	d.set(h)
}

func (d *Distinct) set(h uint64) {
	// splitmix64 finalizer: linear counting needs bits that look random,
	// and sequential addresses must not map to evenly spread buckets.
	h ^= h >> 30
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 27
	h *= 0x94D049BB133111EB
	h ^= h >> 31
	b := h >> 55 // 9 bits: 0..511
	d.W[b>>6] |= 1 << (b & 63)
}

// Count is the (estimated) number of distinct peers.
func (d *Distinct) Count() uint32 {
	if !d.Bitmap {
		return uint32(d.N)
	}
	ones := 0
	for _, w := range d.W {
		ones += bits.OnesCount64(w)
	}
	const m = exactPeers * 64
	zero := m - ones
	if zero == 0 {
		zero = 1
	}
	return uint32(math.Round(-m * math.Log(float64(zero)/m)))
}

// Channel is one host's connections of one service and direction in one
// hour, as snapshots hold it (see channel for the Engine's form). Counts
// are scaled by the sampling rate.
type Channel struct {
	Attempts uint32 // allowed connections up to MaxAttemptBytes
	Failed   uint32 // allowed but unanswered (SYN without ACK, quick RST)
	Denied   uint32 // denied by a firewall
	Sessions uint32 // connections above MaxAttemptBytes
	Bytes    uint64
	Last     int64 // unix ms of the latest counted flow
	Peers    Distinct
	Top      Heavy // attempts per peer, for the one-to-one rules and evidence
}

// C2Hit is one listed peer a host talked to.
type C2Hit struct {
	Addr  [16]byte
	Port  uint16 // the peer's port
	Out   bool   // the host initiated
	Flows uint32
	Bytes uint64
	Last  int64
}

// c2Slots is how many listed peers a host-hour keeps; more are counted.
const c2Slots = 3

// HostHour is everything kept about one monitored IP in one hour, as
// snapshots hold it (see hostHour for the Engine's form).
type HostHour struct {
	Ch       [numChannels]Channel
	C2       [c2Slots]C2Hit
	C2More   uint32
	Flows    uint32
	Source   string // where the latest flow came from, for evidence
	Record   int
	LastTime int64
	// Auth lists the peers that logged in, allocated by the first
	// successful authentication of the hour: nil for hosts without one.
	Auth *AuthHits
}

// hashAddr hashes an address for Distinct (FNV-1a over 16 bytes).
func hashAddr(a [16]byte) uint64 {
	h := uint64(14695981039346656037)
	for _, b := range a {
		h ^= uint64(b)
		h *= 1099511628211
	}
	return h
}
