package flowsource

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
	"github.com/netsampler/goflow2/v2/decoders/netflowlegacy"

	"github.com/vedette/vedette/internal/flow"
)

// Information elements read (IANA IPFIX numbers; NetFlow v9 shares them).
const (
	ieOctets        = 1
	iePackets       = 2
	ieProto         = 4
	ieTCPFlags      = 6
	ieSrcPort       = 7
	ieSrcV4         = 8
	ieDstPort       = 11
	ieDstV4         = 12
	ieEndUptime     = 21
	ieStartUptime   = 22
	ieSrcV6         = 27
	ieDstV6         = 28
	ieSampInterval  = 34
	ieSamplerRandom = 50
	ieDirection     = 61
	ieOctetsTotal   = 85
	iePacketsTotal  = 86
	ieFwdStatus     = 89
	ieStartSec      = 150
	ieEndSec        = 151
	ieStartMs       = 152
	ieEndMs         = 153
	ieSysInitMs     = 160
	ieFwEvent       = 233
	ieSampPacketInt = 305
	ieASAFwEvent    = 40005 // Cisco ASA NF_F_FW_EVENT (NetFlow v9)
)

// packetCtx is what a packet header says that records need.
type packetCtx struct {
	version  uint16
	domain   uint32
	exportMs uint64
	uptimeMs uint64 // NetFlow v9 header sysUptime
}

func (d *Decoder) convertSets(e *exporter, p *packetCtx, sets []any, out []flow.Record) []flow.Record {
	for _, s := range sets {
		switch fs := s.(type) {
		case netflow.DataFlowSet:
			for i := range fs.Records {
				out = append(out, e.record(p, fs.Records[i].Values, len(out)+1))
			}
		case netflow.OptionsDataFlowSet:
			for _, r := range fs.Records {
				e.options(p.domain, r.OptionsValues)
			}
		}
	}
	return out
}

// options learns sampling rate and system init time from options data.
func (e *exporter) options(domain uint32, vals []netflow.DataField) {
	for _, v := range vals {
		if v.PenProvided {
			continue
		}
		b, _ := v.Value.([]byte)
		switch v.Type {
		case ieSampInterval, ieSamplerRandom, ieSampPacketInt:
			if n := uintBE(b); n > 0 && n < 1<<32 {
				e.sampling[domain] = uint32(n)
			}
		case ieSysInitMs:
			e.initMs[domain] = uintBE(b)
		}
	}
}

// times collects the time fields of a record.
type times struct {
	startMs, endMs       uint64
	startUp, endUp       uint64
	hasUptime, hasAbsEnd bool
}

func (e *exporter) record(p *packetCtx, vals []netflow.DataField, idx int) flow.Record {
	r := flow.Record{Exporter: addrOf(e.source), Source: e.source, Index: idx}
	var tm times
	for _, v := range vals {
		if v.PenProvided {
			continue
		}
		b, _ := v.Value.([]byte)
		setField(&r, &tm, v.Type, b)
	}
	e.finishTimes(&r, p, &tm)
	if r.SamplingRate == 0 {
		r.SamplingRate = e.sampling[p.domain]
	}
	if e.override > 0 {
		r.SamplingRate = e.override
	}
	return r
}

func setField(r *flow.Record, tm *times, typ uint16, b []byte) {
	switch typ {
	case ieSrcV4, ieSrcV6:
		r.Src = addrBytes(b)
	case ieDstV4, ieDstV6:
		r.Dst = addrBytes(b)
	case ieSrcPort:
		r.SrcPort = uint16(uintBE(b))
	case ieDstPort:
		r.DstPort = uint16(uintBE(b))
	case ieProto:
		r.Proto = uint8(uintBE(b))
	case ieTCPFlags:
		r.TCPFlags = uint8(uintBE(b)) // low byte of the 16-bit IPFIX field
	case ieOctets, ieOctetsTotal:
		r.Bytes = uintBE(b)
	case iePackets, iePacketsTotal:
		r.Packets = uintBE(b)
	case ieDirection:
		r.Direction = flow.DirectionIn + flow.Direction(min(uintBE(b), 1))
	case ieFwdStatus:
		if uintBE(b)>>6 == 2 { // status "dropped"
			r.Action = flow.ActionDeny
		}
	case ieFwEvent, ieASAFwEvent:
		if uintBE(b) == 3 { // flow denied
			r.Action = flow.ActionDeny
		}
	case ieSampInterval, ieSamplerRandom, ieSampPacketInt:
		r.SamplingRate = uint32(min(uintBE(b), 1<<32-1))
	case ieStartSec:
		tm.startMs = uintBE(b) * 1000
	case ieEndSec:
		tm.endMs, tm.hasAbsEnd = uintBE(b)*1000, true
	case ieStartMs:
		tm.startMs = uintBE(b)
	case ieEndMs:
		tm.endMs, tm.hasAbsEnd = uintBE(b), true
	case ieStartUptime:
		tm.startUp, tm.hasUptime = uintBE(b), true
	case ieEndUptime:
		tm.endUp, tm.hasUptime = uintBE(b), true
	}
}

// finishTimes turns absolute or uptime-relative times into Start/End,
// falling back to the packet's export time.
func (e *exporter) finishTimes(r *flow.Record, p *packetCtx, tm *times) {
	start, end := tm.startMs, tm.endMs
	if !tm.hasAbsEnd && tm.hasUptime {
		var boot uint64
		switch {
		case p.version == 9 && p.exportMs >= p.uptimeMs:
			boot = p.exportMs - p.uptimeMs
		case e.initMs[p.domain] > 0:
			boot = e.initMs[p.domain]
		}
		if boot > 0 {
			start, end = boot+tm.startUp, boot+tm.endUp
		}
	}
	if end == 0 || end > p.exportMs+86_400_000 {
		end = p.exportMs // missing or absurd: the export time bounds it
	}
	if start == 0 || start > end {
		start = end
	}
	r.Start, r.End = time.UnixMilli(int64(start)).UTC(), time.UnixMilli(int64(end)).UTC()
}

func uintBE(b []byte) uint64 {
	if len(b) > 8 {
		b = b[len(b)-8:]
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func addrBytes(b []byte) netip.Addr {
	switch len(b) {
	case 4:
		return netip.AddrFrom4([4]byte(b))
	case 16:
		return netip.AddrFrom16([16]byte(b)).Unmap()
	}
	return netip.Addr{}
}

func addrOf(source string) netip.Addr {
	a, _ := netip.ParseAddr(source[len("udp:"):])
	return a
}

func (d *Decoder) decodeV5(e *exporter, payload []byte, out []flow.Record) ([]flow.Record, error) {
	// Check the claimed count first: goflow2 allocates it before reading.
	if len(payload) < 24 || len(payload) < 24+48*int(binary.BigEndian.Uint16(payload[2:])) {
		d.counters.Truncated++
		return out, fmt.Errorf("flowsource: netflow v5: %w", io.ErrUnexpectedEOF)
	}
	pkt := &d.v5
	if err := netflowlegacy.DecodeMessageVersion(bytes.NewBuffer(payload), pkt); err != nil {
		d.countError(err)
		return out, fmt.Errorf("flowsource: %w", err)
	}
	exportMs := uint64(pkt.UnixSecs)*1000 + uint64(pkt.UnixNSecs)/1e6
	boot := exportMs - uint64(pkt.SysUptime)
	rate := uint32(pkt.SamplingInterval & 0x3fff)
	if e.override > 0 {
		rate = e.override
	}
	exp := addrOf(e.source)
	for i, v := range pkt.Records {
		r := flow.Record{
			Src: v4(uint32(v.SrcAddr)), Dst: v4(uint32(v.DstAddr)), SrcPort: v.SrcPort, DstPort: v.DstPort,
			Proto: v.Proto, TCPFlags: v.TCPFlags, Packets: uint64(v.DPkts), Bytes: uint64(v.DOctets),
			SamplingRate: rate, Exporter: exp, Source: e.source, Index: i + 1,
		}
		r.Start = time.UnixMilli(int64(boot + uint64(v.First))).UTC()
		r.End = time.UnixMilli(int64(boot + uint64(v.Last))).UTC()
		out = append(out, r)
	}
	return out, nil
}

func v4(a uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], a)
	return netip.AddrFrom4(b)
}
