package flowsource

import (
	"encoding/binary"
	"net/netip"

	"github.com/netsampler/goflow2/v2/decoders/netflow"

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

// packetCtx is what a packet header says that records need, and what
// options data learned so far for its observation domain.
type packetCtx struct {
	version  uint16
	domain   uint32
	exportMs uint64
	uptimeMs uint64 // NetFlow v9 header sysUptime
	sampling uint32 // from options data, 0 when unknown
	initMs   uint64 // systemInitTimeMilliseconds from options data
}

// learn reloads what options data said for p's domain: called per packet
// and after each options data set, which may change it mid-packet.
func (p *packetCtx) learn(e *exporter) {
	p.sampling, p.initMs = e.sampling[p.domain], e.initMs[p.domain]
}

func (d *Decoder) convertSets(e *exporter, p *packetCtx, sets []any, out []flow.Record) []flow.Record {
	p.learn(e)
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
			p.learn(e)
		}
	}
	return out
}

// options learns sampling rate and system init time from options data.
func (e *exporter) options(domain uint32, vals []netflow.DataField) {
	for _, v := range vals {
		if !v.PenProvided {
			b, _ := v.Value.([]byte)
			e.option(domain, kindOf(v.Type), b)
		}
	}
}

func (e *exporter) option(domain uint32, k kind, b []byte) {
	switch k {
	case kindSampling:
		if n := uintBE(b); n > 0 && n < 1<<32 {
			e.sampling[domain] = uint32(n)
		}
	case kindSysInit:
		e.initMs[domain] = uintBE(b)
	}
}

// times collects the time fields of a record.
type times struct {
	startMs, endMs       uint64
	startUp, endUp       uint64
	hasUptime, hasAbsEnd bool
}

func (e *exporter) record(p *packetCtx, vals []netflow.DataField, idx int) flow.Record {
	r := flow.Record{Exporter: e.addr, Source: e.source, Index: idx}
	var tm times
	for _, v := range vals {
		if v.PenProvided {
			continue
		}
		b, _ := v.Value.([]byte)
		setField(&r, &tm, kindOf(v.Type), b)
	}
	e.finish(&r, p, &tm)
	return r
}

// finish sets what follows from the whole record: times and sampling.
func (e *exporter) finish(r *flow.Record, p *packetCtx, tm *times) {
	finishTimes(r, p, tm)
	r.Domain = p.domain
	if r.SamplingRate == 0 {
		r.SamplingRate = p.sampling
	}
	if e.override > 0 {
		r.SamplingRate = e.override
	}
}

func setField(r *flow.Record, tm *times, k kind, b []byte) {
	switch k {
	case kindSrc:
		r.Src = addrBytes(b)
	case kindDst:
		r.Dst = addrBytes(b)
	case kindSrcPort:
		r.SrcPort = uint16(uintBE(b))
	case kindDstPort:
		r.DstPort = uint16(uintBE(b))
	case kindProto:
		r.Proto = uint8(uintBE(b))
	case kindTCPFlags:
		r.TCPFlags = uint8(uintBE(b)) // low byte of the 16-bit IPFIX field
	case kindBytes:
		r.Bytes = uintBE(b)
	case kindPackets:
		r.Packets = uintBE(b)
	case kindDirection:
		r.Direction = flow.DirectionIn + flow.Direction(min(uintBE(b), 1))
	case kindFwdStatus:
		if uintBE(b)>>6 == 2 { // status "dropped"
			r.Action = flow.ActionDeny
		}
	case kindFwEvent:
		if uintBE(b) == 3 { // flow denied
			r.Action = flow.ActionDeny
		}
	case kindSampling:
		r.SamplingRate = uint32(min(uintBE(b), 1<<32-1))
	default:
		setTime(tm, k, b)
	}
}

func setTime(tm *times, k kind, b []byte) {
	switch k {
	case kindStartSec:
		tm.startMs = satMul(uintBE(b), 1000)
	case kindEndSec:
		tm.endMs, tm.hasAbsEnd = satMul(uintBE(b), 1000), true
	case kindStartMs:
		tm.startMs = uintBE(b)
	case kindEndMs:
		tm.endMs, tm.hasAbsEnd = uintBE(b), true
	case kindStartUptime:
		tm.startUp, tm.hasUptime = uintBE(b), true
	case kindEndUptime:
		tm.endUp, tm.hasUptime = uintBE(b), true
	}
}

// finishTimes turns absolute or uptime-relative times into Start/End,
// falling back to the packet's export time.
func finishTimes(r *flow.Record, p *packetCtx, tm *times) {
	start, end := tm.startMs, tm.endMs
	if !tm.hasAbsEnd && tm.hasUptime {
		var boot uint64
		switch {
		case p.version == 9 && p.exportMs >= p.uptimeMs:
			boot = p.exportMs - p.uptimeMs
		case p.initMs > 0:
			boot = p.initMs
		}
		if boot > 0 {
			start, end = satAdd(boot, tm.startUp), satAdd(boot, tm.endUp)
		}
	}
	if end == 0 || end > satAdd(p.exportMs, 86_400_000) {
		end = p.exportMs // missing or absurd: the export time bounds it
	}
	if start == 0 || start > end {
		start = end
	}
	r.Start, r.End = msTime(start), msTime(end)
}

func uintBE(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(b))
	case 4:
		return uint64(binary.BigEndian.Uint32(b))
	case 8:
		return binary.BigEndian.Uint64(b)
	}
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
