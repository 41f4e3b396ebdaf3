package flowlog

// Zeek conn.log and ssh.log, in both of Zeek's writers: JSON lines
// (LogAscii::use_json, ts as epoch seconds or ISO 8601) and the default
// tab-separated form with its "#separator", "#fields" ... header. Files may
// be plain or gzip, and one file may hold several header blocks (logs
// concatenated across rotations).
//
// conn.log: one record per connection. Start is ts, End is ts + duration;
// Packets/Bytes are the originator's orig_pkts and orig_ip_bytes (IP-level
// bytes, like IPFIX octetDeltaCount; orig_bytes, the payload, when the IP
// counts are absent) and RevPackets/RevBytes the responder's. Zeek observes
// and never filters, so Action is ActionUnknown. conn_state becomes
// TCPFlags the way an exporter would report the connection (see
// connFlags), which is how netdetect tells attempts apart:
//
//	established  S1 SF S2 S3 RSTO RSTR  SYN+ACK (+FIN/RST): an attempt, or a
//	                                    session above MaxAttemptBytes
//	rejected     REJ RSTOS0             SYN+RST without ACK: failed
//	unanswered   S0 SH                  SYN without ACK: failed
//	half seen    RSTRH SHR              ACK (+RST/FIN) without SYN
//	midstream    OTH, udp, icmp         no flags: judged on size alone
//
// Note that Zeek calls a SYN scan of an open port (history "ShR": SYN,
// SYN-ACK, RST) RSTO; with two originator packets netdetect still counts it
// as failed (a reset after at most two packets).
//
// ssh.log: one record per SSH connection Zeek analysed, with no byte or
// packet counts. Each entry is one connection attempt: TCP, SYN+ACK (the
// handshake completed, or there would be no SSH to log), zero bytes, so
// netdetect counts it as an attempt whatever its size really was.
// auth_success becomes Auth: true is flow.AuthSuccess, false
// flow.AuthFailure, unset (Zeek saw no authentication: a scanner that only
// read the banner, or a session it could not follow) flow.AuthUnknown. That
// is how netdetect tells a brute force that succeeded. conn.log carries no
// outcome: its records are AuthUnknown.
//
// Direction comes from local_orig/local_resp (conn.log) or direction
// (ssh.log, INBOUND/OUTBOUND) when Zeek set them. Index is the 1-based line
// number in the (decompressed) file.
//
// conn.log and ssh.log of one capture both hold every SSH connection: give
// `vedette detect` one of them, or each connection counts twice.
//
// Zeek logs name no hosts (and there is no MAC to learn from), so the
// network detections only see IPs listed in network.inventory or
// network.detections.monitor_prefixes. The one-hour rule of package
// inventory applies as for flow logs: an hour alerts only if the mapping
// covers all of it, so a day's capture of the honeypot 192.168.1.194 needs
// a line such as "192.168.1.194,honeypot" (valid since ever) or
// "192.168.1.194,honeypot,,2020-09-10T00:00:00Z,2020-09-12T00:00:00Z";
// a mapping starting at 16:45 would leave the 16:00 hour unattributed.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/flow"
)

// Zeek formats returned by ReadFile.
const (
	FormatZeekConn = "zeek-conn"
	FormatZeekSSH  = "zeek-ssh"
)

// maxZeekLine bounds one log line; a longer line makes the file unreadable.
const maxZeekLine = 1 << 20

// protoICMPv6 is what Zeek's "icmp" means between IPv6 addresses.
const protoICMPv6 = 58

// zeekKind says which Zeek log head starts, "" when none: a TSV header
// with "#path conn|ssh", or a first JSON line with Zeek's connection id and
// a field only conn.log (conn_state, history, orig_ip_bytes) or ssh.log
// (auth_attempts) writes, or the "_path" that exporters such as Corelight
// add. Other Zeek logs (dns, http, notice) are not flows.
func zeekKind(head []byte) string {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	line = bytes.TrimRight(line, "\r")
	if bytes.HasPrefix(line, []byte("#separator ")) {
		for l := range bytes.Lines(head) {
			if p, ok := bytes.CutPrefix(bytes.TrimRight(l, "\r\n"), []byte("#path")); ok {
				return kindOfPath(string(bytes.TrimSpace(p)))
			}
		}
		return ""
	}
	if len(line) == 0 || line[0] != '{' || !bytes.Contains(line, []byte(`"id.orig_h"`)) ||
		!bytes.Contains(line, []byte(`"ts"`)) || bytes.Contains(line, []byte(`"records"`)) {
		return ""
	}
	switch {
	case bytes.Contains(line, []byte(`"_path":"conn"`)), bytes.Contains(line, []byte(`"conn_state"`)), bytes.Contains(line, []byte(`"history"`)),
		bytes.Contains(line, []byte(`"orig_ip_bytes"`)):
		return FormatZeekConn
	case bytes.Contains(line, []byte(`"_path":"ssh"`)), bytes.Contains(line, []byte(`"auth_attempts"`)):
		return FormatZeekSSH
	}
	return ""
}

func kindOfPath(p string) string {
	switch p {
	case "conn":
		return FormatZeekConn
	case "ssh":
		return FormatZeekSSH
	}
	return ""
}

// zeekEntry holds the fields read from one log line of either kind.
type zeekEntry struct {
	TS          zeekTime `json:"ts"`
	OrigH       string   `json:"id.orig_h"`
	OrigP       uint16   `json:"id.orig_p"`
	RespH       string   `json:"id.resp_h"`
	RespP       uint16   `json:"id.resp_p"`
	Proto       string   `json:"proto"`
	Duration    float64  `json:"duration"`
	ConnState   string   `json:"conn_state"`
	OrigBytes   uint64   `json:"orig_bytes"`
	RespBytes   uint64   `json:"resp_bytes"`
	OrigPkts    uint64   `json:"orig_pkts"`
	RespPkts    uint64   `json:"resp_pkts"`
	OrigIPBytes *uint64  `json:"orig_ip_bytes"`
	RespIPBytes *uint64  `json:"resp_ip_bytes"`
	LocalOrig   *bool    `json:"local_orig"`
	LocalResp   *bool    `json:"local_resp"`
	Direction   string   `json:"direction"`
	AuthSuccess *bool    `json:"auth_success"`
}

// zeekTime is Zeek's ts: epoch seconds with a fraction (both writers) or
// an ISO 8601 string (JSON with JSON::TS_ISO8601).
type zeekTime struct{ time.Time }

func (z *zeekTime) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		z.Time = t.UTC()
		return err
	}
	t, err := parseEpoch(string(b))
	z.Time = t
	return err
}

var errEpoch = errors.New("bad epoch time")

// parseEpoch reads "1599755438.57536" exactly (no float rounding).
func parseEpoch(s string) (time.Time, error) {
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || n <= 0 || len(frac) > 9 {
		return time.Time{}, errEpoch
	}
	if strings.TrimLeft(frac, "0123456789") != "" {
		return time.Time{}, errEpoch // a sign or anything else in the fraction
	}
	var ns int64
	if frac != "" {
		if ns, err = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64); err != nil {
			return time.Time{}, errEpoch
		}
	}
	return time.Unix(n, ns).UTC(), nil
}

// zeekReader turns entries into records.
type zeekReader struct {
	source string
	kind   string
	fn     func(flow.Record)
	rej    RejectFunc
}

// readZeek reads a Zeek log of the given kind from br, line by line.
func readZeek(br *bufio.Reader, source, kind string, fn func(flow.Record), rej RejectFunc) error {
	z := &zeekReader{source: source, kind: kind, fn: fn, rej: rej}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 64<<10), maxZeekLine)
	var tsv *tsvHeader
	var total int64
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if total += int64(len(line)) + 1; total > MaxFileBytes {
			return fmt.Errorf("larger than %d bytes", MaxFileBytes)
		}
		switch {
		case len(bytes.TrimSpace(line)) == 0:
		case line[0] == '#':
			tsv = tsv.header(string(line))
		case tsv != nil:
			z.tsvLine(tsv, string(line), n)
		default:
			z.jsonLine(line, n)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	return nil
}

func (z *zeekReader) jsonLine(line []byte, n int) {
	var e zeekEntry
	if err := json.Unmarshal(line, &e); err != nil {
		z.rej(z.source, n, "bad_json", err.Error())
		return
	}
	z.entry(&e, z.kind, n, string(line))
}

// entry validates e and hands out its record.
func (z *zeekReader) entry(e *zeekEntry, kind string, n int, line string) {
	r := flow.Record{Start: e.TS.Time, End: e.TS.Time, Source: z.source, Index: n}
	var reason string
	if r, reason = record(e, kind, r); reason != "" {
		z.rej(z.source, n, reason, line)
		return
	}
	z.fn(r)
}

// record fills r from e, or says why e is rejected.
func record(e *zeekEntry, kind string, r flow.Record) (flow.Record, string) {
	var err error
	switch {
	case r.Start.IsZero():
		return r, "bad_time"
	case !(e.Duration >= 0 && e.Duration <= 365*24*3600): // NaN ("nan" in TSV) fails both
		return r, "bad_duration"
	}
	if r.Src, err = netip.ParseAddr(e.OrigH); err != nil {
		return r, "bad_src"
	}
	if r.Dst, err = netip.ParseAddr(e.RespH); err != nil {
		return r, "bad_dst"
	}
	r.Src, r.Dst = r.Src.WithZone("").Unmap(), r.Dst.WithZone("").Unmap()
	r.SrcPort, r.DstPort = e.OrigP, e.RespP
	if kind == FormatZeekSSH {
		r.Proto, r.TCPFlags = flow.ProtoTCP, flow.TCPSyn|flow.TCPAck
		r.Direction = sshDirection(e.Direction)
		r.Auth = sshAuth(e.AuthSuccess)
		return r, ""
	}
	if r.Proto = zeekProto(e.Proto, r.Src); r.Proto == 0 {
		return r, "bad_proto"
	}
	r.End = r.Start.Add(time.Duration(e.Duration * float64(time.Second)).Round(time.Microsecond))
	if r.Proto == flow.ProtoTCP {
		r.TCPFlags = connFlags(e.ConnState)
	}
	r.Packets, r.RevPackets = e.OrigPkts, e.RespPkts
	r.Bytes, r.RevBytes = e.OrigBytes, e.RespBytes
	if e.OrigIPBytes != nil {
		r.Bytes = *e.OrigIPBytes
	}
	if e.RespIPBytes != nil {
		r.RevBytes = *e.RespIPBytes
	}
	r.Direction = connDirection(e.LocalOrig, e.LocalResp)
	return r, ""
}

func zeekProto(p string, src netip.Addr) uint8 {
	switch p {
	case "tcp":
		return flow.ProtoTCP
	case "udp":
		return flow.ProtoUDP
	case "icmp":
		if src.Is6() {
			return protoICMPv6
		}
		return flow.ProtoICMP
	}
	return 0
}

// connFlags is the cumulative TCP flags (both directions) that Zeek's
// conn_state implies; the table is in the file comment.
func connFlags(state string) uint8 {
	const syn, ack, fin, rst = flow.TCPSyn, flow.TCPAck, flow.TCPFin, flow.TCPRst
	switch state {
	case "S0":
		return syn
	case "SH":
		return syn | fin
	case "REJ", "RSTOS0":
		return syn | rst
	case "S1":
		return syn | ack
	case "SF", "S2", "S3":
		return syn | ack | fin
	case "RSTO", "RSTR":
		return syn | ack | rst
	case "RSTRH":
		return ack | rst
	case "SHR":
		return ack | fin
	}
	return 0 // OTH, unset or unknown
}

func connDirection(localOrig, localResp *bool) flow.Direction {
	if localOrig == nil || localResp == nil || *localOrig == *localResp {
		return flow.DirectionUnknown
	}
	if *localOrig {
		return flow.DirectionOut
	}
	return flow.DirectionIn
}

func sshDirection(d string) flow.Direction {
	switch d {
	case "INBOUND":
		return flow.DirectionIn
	case "OUTBOUND":
		return flow.DirectionOut
	}
	return flow.DirectionUnknown
}

func sshAuth(success *bool) flow.Auth {
	switch {
	case success == nil:
		return flow.AuthUnknown
	case *success:
		return flow.AuthSuccess
	}
	return flow.AuthFailure
}
