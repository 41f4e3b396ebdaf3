package flowlog

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/flow"
)

// tupleFields is the field count of both NSG v2 and VNet v4 tuples.
const tupleFields = 13

// msThreshold separates Unix seconds from milliseconds: 1e11 seconds is
// the year 5138, 1e11 milliseconds is 1973.
const msThreshold = 100_000_000_000

type parser struct {
	source  string
	fn      func(flow.Record)
	rej     RejectFunc
	sawNSG  bool
	sawVNet bool
	rec     Record
}

func (p *parser) format() string {
	switch {
	case p.sawNSG && p.sawVNet:
		return FormatMixed
	case p.sawVNet:
		return FormatVNetv4
	case p.sawNSG:
		return FormatNSGv2
	}
	return ""
}

func (p *parser) record(r *azRecord, n int) {
	switch {
	case r.FlowRecords != nil:
		p.sawVNet = true
		res := r.TargetID
		for _, acl := range r.FlowRecords.Flows {
			for _, g := range acl.FlowGroups {
				for _, t := range g.FlowTuples {
					p.rawTuple(t, n, r.MACAddress, g.Rule, res, true)
				}
			}
		}
	case r.Properties != nil:
		p.sawNSG = true
		for _, rule := range r.Properties.Flows {
			for _, f := range rule.Flows {
				for _, t := range f.FlowTuples {
					p.rawTuple(t, n, f.MAC, rule.Rule, r.ResourceID, false)
				}
			}
		}
	default:
		p.rej(p.source, n, "unknown_record", "neither properties.flows nor flowRecords")
	}
}

// rawTuple handles one element of a flowTuples array: a string, or a
// rejection of that tuple alone.
func (p *parser) rawTuple(raw json.RawMessage, n int, mac, rule, res string, vnet bool) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && !bytes.ContainsAny(raw, "\\") {
		p.tuple(string(raw[1:len(raw)-1]), n, mac, rule, res, vnet)
		return
	}
	var t string
	if err := json.Unmarshal(raw, &t); err != nil {
		p.rej(p.source, n, "bad_tuple", "not a string: "+shorten(raw))
		return
	}
	p.tuple(t, n, mac, rule, res, vnet)
}

// shorten cuts a value for a rejection detail.
func shorten(b []byte) string {
	const max = 80
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

func (p *parser) tuple(t string, n int, mac, rule, res string, vnet bool) {
	var f [tupleFields]string
	parts := 0
	for s := range strings.SplitSeq(t, ",") {
		if parts == tupleFields {
			parts++
			break
		}
		f[parts] = s
		parts++
	}
	if parts < 9 || parts > tupleFields {
		p.rej(p.source, n, "bad_tuple", "field count: "+t)
		return
	}
	p.rec = Record{MAC: mac, Rule: rule, Resource: res, Source: p.source, Index: n}
	var reason string
	if vnet {
		reason = p.vnetTuple(&f)
	} else {
		reason = p.nsgTuple(&f)
	}
	if reason == "" {
		reason = p.common(&f)
	}
	if reason != "" {
		p.rej(p.source, n, reason, t)
		return
	}
	p.fn(p.rec)
}

// common parses what both formats share: time, addresses, ports, counts.
func (p *parser) common(f *[tupleFields]string) string {
	ts, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || ts <= 0 {
		return "bad_time"
	}
	if ts >= msThreshold {
		p.rec.End = time.UnixMilli(ts).UTC()
	} else {
		p.rec.End = time.Unix(ts, 0).UTC()
	}
	p.rec.Start = p.rec.End
	if p.rec.Src, err = netip.ParseAddr(f[1]); err != nil {
		return "bad_src"
	}
	if p.rec.Dst, err = netip.ParseAddr(f[2]); err != nil {
		return "bad_dst"
	}
	sp, err1 := strconv.ParseUint(f[3], 10, 16)
	dp, err2 := strconv.ParseUint(f[4], 10, 16)
	if err1 != nil || err2 != nil {
		return "bad_port"
	}
	p.rec.SrcPort, p.rec.DstPort = uint16(sp), uint16(dp)
	// An empty counter is an explicit zero: Azure leaves the four empty on
	// begin (B) tuples and version 1 NSG tuples, which report no traffic
	// yet. A counter that is present but not a number rejects the tuple.
	counts := [4]*uint64{&p.rec.Packets, &p.rec.Bytes, &p.rec.RevPackets, &p.rec.RevBytes}
	for i, c := range counts {
		s := f[9+i]
		if s == "" {
			continue
		}
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return "bad_count"
		}
		*c = v
	}
	return ""
}

func (p *parser) nsgTuple(f *[tupleFields]string) string {
	switch f[5] {
	case "T":
		p.rec.Proto = flow.ProtoTCP
	case "U":
		p.rec.Proto = flow.ProtoUDP
	default:
		return "bad_proto"
	}
	if !direction(&p.rec, f[6]) {
		return "bad_direction"
	}
	switch f[7] {
	case "A":
		p.rec.Action = flow.ActionAllow
	case "D":
		p.rec.Action = flow.ActionDeny
	default:
		return "bad_decision"
	}
	if f[8] == "" {
		p.rec.State = flow.StateBegin // version 1 tuples have no state
		return ""
	}
	return state(&p.rec, f[8])
}

func (p *parser) vnetTuple(f *[tupleFields]string) string {
	proto, err := strconv.ParseUint(f[5], 10, 8)
	if err != nil {
		return "bad_proto"
	}
	p.rec.Proto = uint8(proto)
	if !direction(&p.rec, f[6]) {
		return "bad_direction"
	}
	if f[7] == "D" {
		p.rec.Action, p.rec.State = flow.ActionDeny, flow.StateBegin
		return ""
	}
	p.rec.Action = flow.ActionAllow
	return state(&p.rec, f[7])
}

func direction(r *Record, s string) bool {
	switch s {
	case "I":
		r.Direction = flow.DirectionIn
	case "O":
		r.Direction = flow.DirectionOut
	default:
		return false
	}
	return true
}

func state(r *Record, s string) string {
	switch s {
	case "B":
		r.State = flow.StateBegin
	case "C":
		r.State = flow.StateContinue
	case "E":
		r.State = flow.StateEnd
	default:
		return "bad_state"
	}
	return ""
}
