package pipeline

import (
	"encoding/binary"
	"net/netip"
)

// addrCache is a direct-mapped cache of lookups by address (AS,
// location): the answers of Networks and Locator do not change while a
// pipeline runs.
type addrCache[V any] [1024]addrSlot[V]

type addrSlot[V any] struct {
	ip      netip.Addr
	v       V
	ok, set bool
}

// slot returns ip's slot: it holds ip's answer when set and its ip is ip.
func (c *addrCache[V]) slot(ip netip.Addr) *addrSlot[V] {
	b := ip.As16()
	h := binary.LittleEndian.Uint64(b[:8]) ^ binary.LittleEndian.Uint64(b[8:])
	return &c[(h*0x9e3779b97f4a7c15)>>54]
}
