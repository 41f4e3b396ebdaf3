package flowlog

import (
	"net/netip"
	"strconv"
	"strings"
)

// tsvHeader is the state of Zeek's ASCII writer header: separator, the
// unset and empty markers, the column names and the log's kind.
type tsvHeader struct {
	sep, unset, empty string
	fields            []string
	kind              string
}

// header applies one "#..." line. "#separator" starts a new header block,
// as in several logs concatenated; other lines before it are ignored.
func (h *tsvHeader) header(line string) *tsvHeader {
	if v, ok := strings.CutPrefix(line, "#separator "); ok {
		return &tsvHeader{sep: unescapeZeek(v), unset: "-", empty: "(empty)"}
	}
	if h == nil {
		return nil
	}
	key, val, _ := strings.Cut(line, h.sep)
	switch key {
	case "#unset_field":
		h.unset = val
	case "#empty_field":
		h.empty = val
	case "#path":
		h.kind = kindOfPath(val)
	case "#fields":
		h.fields = strings.Split(val, h.sep)
	}
	return h
}

// unescapeZeek decodes the \xHH escapes Zeek writes in header values.
func unescapeZeek(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && s[i+1] == 'x' {
			if v, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// tsvLine reads one data line under header h. Lines of logs other than
// conn and ssh (a concatenated dns.log block, say) are skipped silently:
// they are not flows, not bad flows.
func (z *zeekReader) tsvLine(h *tsvHeader, line string, n int) {
	if h.kind == "" {
		return
	}
	vals := strings.Split(line, h.sep)
	if len(vals) != len(h.fields) {
		z.rej(z.source, n, "bad_fields", line)
		return
	}
	var e zeekEntry
	for i, name := range h.fields {
		v := vals[i]
		if v == h.unset || v == h.empty {
			continue
		}
		if !e.set(name, v) {
			z.rej(z.source, n, "bad_"+tsvReason(name), line)
			return
		}
	}
	z.entry(&e, h.kind, n, line)
}

// tsvReason names a rejection after the column that failed to parse.
func tsvReason(field string) string {
	switch field {
	case "ts":
		return "time"
	case "id.orig_h":
		return "src"
	case "id.resp_h":
		return "dst"
	case "id.orig_p", "id.resp_p":
		return "port"
	case "auth_success":
		return "auth"
	}
	return "count"
}

// set parses column name's value v into e; unknown columns are ignored.
func (e *zeekEntry) set(name, v string) bool {
	var err error
	switch name {
	case "ts":
		e.TS.Time, err = parseEpoch(v)
	case "id.orig_h":
		e.OrigH = v
		_, err = netip.ParseAddr(v)
	case "id.resp_h":
		e.RespH = v
		_, err = netip.ParseAddr(v)
	case "id.orig_p":
		e.OrigP, err = parsePort(v)
	case "id.resp_p":
		e.RespP, err = parsePort(v)
	case "proto":
		e.Proto = v
	case "conn_state":
		e.ConnState = v
	case "direction":
		e.Direction = v
	case "duration":
		e.Duration, err = strconv.ParseFloat(v, 64)
	case "auth_success":
		b := v == "T"
		if !b && v != "F" {
			return false
		}
		e.AuthSuccess = &b
	case "local_orig", "local_resp":
		b := v == "T"
		if name == "local_orig" {
			e.LocalOrig = &b
		} else {
			e.LocalResp = &b
		}
	default:
		return e.setCount(name, v)
	}
	return err == nil
}

func (e *zeekEntry) setCount(name, v string) bool {
	var dst *uint64
	switch name {
	case "orig_bytes":
		dst = &e.OrigBytes
	case "resp_bytes":
		dst = &e.RespBytes
	case "orig_pkts":
		dst = &e.OrigPkts
	case "resp_pkts":
		dst = &e.RespPkts
	case "orig_ip_bytes":
		e.OrigIPBytes = new(uint64)
		dst = e.OrigIPBytes
	case "resp_ip_bytes":
		e.RespIPBytes = new(uint64)
		dst = e.RespIPBytes
	default:
		return true
	}
	var err error
	*dst, err = strconv.ParseUint(v, 10, 64)
	return err == nil
}

func parsePort(v string) (uint16, error) {
	p, err := strconv.ParseUint(v, 10, 16)
	return uint16(p), err
}
