// Package flow holds Vedette's normalized network flow record: what every
// flow input (IPFIX, NetFlow v9/v5 over UDP, Azure NSG and VNet flow log
// files) is turned into before network detections see it. It does no I/O.
package flow

import (
	"encoding/binary"
	"hash/fnv"
	"net/netip"
	"strconv"
	"time"
)

// Action says what a filtering device did with a flow.
type Action uint8

// Actions. Flow exporters that do not filter report ActionUnknown, which
// detections treat as allowed.
const (
	ActionUnknown Action = iota
	ActionAllow
	ActionDeny
)

func (a Action) String() string {
	switch a {
	case ActionAllow:
		return "allow"
	case ActionDeny:
		return "deny"
	}
	return "unknown"
}

// State is where in a connection's life a record was emitted. Azure flow
// logs write one tuple when a connection begins (B), periodic ones while it
// lasts (C) and one when it ends (E); IPFIX/NetFlow records are StateUnknown.
type State uint8

// States.
const (
	StateUnknown State = iota
	StateBegin
	StateContinue
	StateEnd
)

// Direction is the direction of a flow as seen by the exporter that logged it.
type Direction uint8

// Directions.
const (
	DirectionUnknown Direction = iota
	DirectionIn
	DirectionOut
)

// Auth is the outcome of the authentication a connection carried, when
// the source saw it: Zeek's ssh.log reports it (auth_success); flow
// exporters (IPFIX, NetFlow) and Azure flow logs see only packets, so their
// records are AuthUnknown, the zero value.
type Auth uint8

// Authentication outcomes.
const (
	AuthUnknown Auth = iota
	AuthSuccess
	AuthFailure
)

func (a Auth) String() string {
	switch a {
	case AuthSuccess:
		return "success"
	case AuthFailure:
		return "failure"
	}
	return "unknown"
}

// IP protocol numbers used by detections.
const (
	ProtoICMP = 1
	ProtoTCP  = 6
	ProtoUDP  = 17
)

// TCP flag bits (RFC 793) as exporters report them in tcpControlBits.
const (
	TCPFin = 0x01
	TCPSyn = 0x02
	TCPRst = 0x04
	TCPAck = 0x10
)

// Record is one unidirectional flow (or one Azure flow tuple). Packets and
// Bytes are the raw counts from the source; multiply by Scale() to estimate
// the real traffic when the exporter samples packets.
type Record struct {
	Start, End time.Time // End is the event time; Start may equal End
	Src, Dst   netip.Addr
	SrcPort    uint16
	DstPort    uint16
	Proto      uint8
	TCPFlags   uint8 // cumulative OR of flags, 0 when not reported
	Action     Action
	State      State
	Direction  Direction
	// Auth is whether the connection authenticated (Zeek ssh.log only). It
	// fills padding after Direction: Record stays 248 bytes.
	Auth    Auth
	Packets uint64
	Bytes   uint64
	// RevPackets and RevBytes are the reverse direction's counts when the
	// source logs both directions in one record (Azure flow logs).
	RevPackets uint64
	RevBytes   uint64
	// SamplingRate is 1-in-N packet sampling at the exporter; 0 or 1 means
	// every packet was seen.
	SamplingRate uint32
	// Domain is the IPFIX observation domain or NetFlow v9 source ID the
	// exporter sent the record for (0 otherwise): with Exporter, it names
	// the clock the record's time is judged by.
	Domain uint32 `json:",omitempty"`
	// Exporter is the device that sent the record (UDP sources).
	Exporter netip.Addr
	// MAC, Rule and Resource name the Azure NIC, NSG rule and the resource
	// that logged the tuple, empty for UDP sources.
	MAC      string
	Rule     string
	Resource string
	// Source and Index locate the record for evidence: a file name or
	// "udp:<exporter>", and a 1-based record number within it.
	Source string
	Index  int
}

// Time is the record's event time: the end of the flow, or its start when
// the source gave no end.
func (r *Record) Time() time.Time {
	if r.End.IsZero() {
		return r.Start
	}
	return r.End
}

// Scale is the factor to multiply counts by to undo packet sampling.
func (r *Record) Scale() uint64 {
	if r.SamplingRate <= 1 {
		return 1
	}
	return uint64(r.SamplingRate)
}

// Key is a deterministic identifier of the flow's 5-tuple, time and
// source, stable across re-reads of the same input.
func (r *Record) Key() string {
	h := fnv.New64a()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(r.Time().UnixMilli()))
	h.Write(b[:])
	s16, d16 := r.Src.As16(), r.Dst.As16()
	h.Write(s16[:])
	h.Write(d16[:])
	binary.BigEndian.PutUint16(b[:2], r.SrcPort)
	binary.BigEndian.PutUint16(b[2:4], r.DstPort)
	b[4] = r.Proto
	b[5] = byte(r.State)
	h.Write(b[:6])
	h.Write([]byte(r.Source))
	return "flow:" + strconv.FormatUint(h.Sum64(), 16)
}
