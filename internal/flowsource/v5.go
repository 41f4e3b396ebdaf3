package flowsource

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"

	"github.com/netsampler/goflow2/v2/decoders/netflowlegacy"

	"github.com/vedette/vedette/internal/flow"
)

// NetFlow v5 sizes: the format is fixed.
const (
	v5Header = 24
	v5Record = 48
)

func (d *Decoder) decodeV5(e *exporter, payload []byte, out []flow.Record) ([]flow.Record, error) {
	// Check the claimed count first: goflow2 allocates it before reading.
	if len(payload) < v5Header || len(payload) < v5Header+v5Record*int(binary.BigEndian.Uint16(payload[2:])) {
		d.counters.Truncated++
		return out, fmt.Errorf("flowsource: netflow v5: %w", io.ErrUnexpectedEOF)
	}
	if d.goflow2 {
		return d.decodeV5Goflow2(e, payload, out)
	}
	// Past the length check goflow2 cannot fail: read the records in place.
	d.fast++
	h := parseV5Header(payload)
	for i := range int(h.Count) {
		rec := parseV5Record(payload[v5Header+v5Record*i:])
		out = append(out, e.v5Flow(&h, &rec, i+1))
	}
	return out, nil
}

func (d *Decoder) decodeV5Goflow2(e *exporter, payload []byte, out []flow.Record) ([]flow.Record, error) {
	pkt := &d.v5
	if err := netflowlegacy.DecodeMessageVersion(bytes.NewBuffer(payload), pkt); err != nil {
		d.countError(err)
		return out, fmt.Errorf("flowsource: %w", err)
	}
	for i := range pkt.Records {
		out = append(out, e.v5Flow(pkt, &pkt.Records[i], i+1))
	}
	return out, nil
}

// parseV5Header reads the header fields goflow2 does, without records.
func parseV5Header(b []byte) netflowlegacy.PacketNetFlowV5 {
	be := binary.BigEndian
	return netflowlegacy.PacketNetFlowV5{
		Version: be.Uint16(b), Count: be.Uint16(b[2:]), SysUptime: be.Uint32(b[4:]),
		UnixSecs: be.Uint32(b[8:]), UnixNSecs: be.Uint32(b[12:]), FlowSequence: be.Uint32(b[16:]),
		EngineType: b[20], EngineId: b[21], SamplingInterval: be.Uint16(b[22:]),
	}
}

// parseV5Record reads the fields of one 48-byte record that v5Flow uses.
func parseV5Record(b []byte) netflowlegacy.RecordsNetFlowV5 {
	be := binary.BigEndian
	b = b[:v5Record]
	return netflowlegacy.RecordsNetFlowV5{
		SrcAddr: netflowlegacy.IPAddress(be.Uint32(b)), DstAddr: netflowlegacy.IPAddress(be.Uint32(b[4:])),
		DPkts: be.Uint32(b[16:]), DOctets: be.Uint32(b[20:]), First: be.Uint32(b[24:]), Last: be.Uint32(b[28:]),
		SrcPort: be.Uint16(b[32:]), DstPort: be.Uint16(b[34:]), TCPFlags: b[37], Proto: b[38],
	}
}

func (e *exporter) v5Flow(h *netflowlegacy.PacketNetFlowV5, v *netflowlegacy.RecordsNetFlowV5, idx int) flow.Record {
	exportMs := uint64(h.UnixSecs)*1000 + uint64(h.UnixNSecs)/1e6
	boot := satSub(exportMs, uint64(h.SysUptime))
	rate := uint32(h.SamplingInterval & 0x3fff)
	if e.override > 0 {
		rate = e.override
	}
	return flow.Record{
		Src: v4(uint32(v.SrcAddr)), Dst: v4(uint32(v.DstAddr)), SrcPort: v.SrcPort, DstPort: v.DstPort,
		Proto: v.Proto, TCPFlags: v.TCPFlags, Packets: uint64(v.DPkts), Bytes: uint64(v.DOctets),
		SamplingRate: rate, Exporter: e.addr, Source: e.source, Index: idx,
		Start: msTime(boot + uint64(v.First)), // both < 2^43: no overflow
		End:   msTime(boot + uint64(v.Last)),
	}
}

func v4(a uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], a)
	return netip.AddrFrom4(b)
}
