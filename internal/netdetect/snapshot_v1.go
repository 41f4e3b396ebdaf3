package netdetect

import (
	"bytes"
	"encoding/gob"
	"net/netip"

	"github.com/vedette/vedette/internal/inventory"
)

// stateV1 is State as version 1 wrote it: gob matches fields by name, so
// these types only need the same field names and shapes.
type stateV1 struct {
	Version   int
	Watermark int64
	Closed    int64
	Open      []openHourV1
	History   map[string]History
	Env       Env
	Learned   inventory.Snapshot
	Counters  Counters
}

type openHourV1 struct {
	Hour int64
	IP   netip.Addr
	Agg  hostHourV1
}

type hostHourV1 struct {
	Ch       [numChannels]channelV1
	C2       [c2Slots]C2Hit
	C2More   uint32
	Flows    uint32
	Source   string
	Record   int
	LastTime int64
}

type channelV1 struct {
	Attempts, Failed, Denied, Sessions uint32
	Bytes                              uint64
	Last                               int64
	Peers                              Distinct
	Top                                [topPeers]peerV1
}

type peerV1 struct {
	Addr  [16]byte
	Count uint32
}

// decodeV1 reads a version 1 snapshot into the current State.
func decodeV1(data []byte) (State, error) {
	var old stateV1
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&old); err != nil {
		return State{}, err
	}
	s := State{
		Version: snapshotVersion, Watermark: old.Watermark, Closed: old.Closed,
		History: old.History, Env: old.Env, Learned: old.Learned, Counters: old.Counters,
	}
	for _, o := range old.Open {
		h := HostHour{C2: o.Agg.C2, C2More: o.Agg.C2More, Flows: o.Agg.Flows,
			Source: o.Agg.Source, Record: o.Agg.Record, LastTime: o.Agg.LastTime}
		for i, c := range o.Agg.Ch {
			h.Ch[i] = Channel{Attempts: c.Attempts, Failed: c.Failed, Denied: c.Denied, Sessions: c.Sessions,
				Bytes: c.Bytes, Last: c.Last, Peers: c.Peers, Top: c.heavy()}
		}
		s.Open = append(s.Open, OpenHour{Hour: o.Hour, IP: o.IP, Agg: h})
	}
	return s, nil
}

// heavy converts version 1's four space-saving slots. They are exact when
// the channel never saw more peers than slots. Otherwise every slot's error
// was at most the lowest count when it was taken, and the lowest count
// never decreases, so today's lowest bounds them all. Lower bounds, which
// decide alerts, stay valid; the upper bound of a peer evicted before the
// restore and seen again after it may be low by at most that lowest count.
func (c *channelV1) heavy() Heavy {
	var lo uint32
	if c.Peers.Bitmap || int(c.Peers.N) > topPeers {
		lo = c.Top[0].Count
		for _, p := range c.Top[1:] {
			lo = min(lo, p.Count)
		}
	}
	var h Heavy
	for _, p := range c.Top {
		if p.Count > 0 {
			h = append(h, Peer{Addr: p.Addr, Count: p.Count, Err: lo})
		}
	}
	return h
}
