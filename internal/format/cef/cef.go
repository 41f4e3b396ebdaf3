// Package cef renders a finding change as one ArcSight Common Event Format
// line (CEF:0), escaped as the CEF specification says: in the header a pipe
// or backslash is preceded by a backslash; in extension values a backslash or
// an equal sign is, and line breaks become \n or \r. The header cannot carry
// a line break at all, so one there becomes a space.
package cef

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
)

// DeviceVersion is the version of Vedette's alert schema the lines carry.
const DeviceVersion = "1.0"

// Severity maps an alert severity to CEF's 0-10 scale (0-3 low, 4-6 medium,
// 7-8 high, 9-10 very high).
func Severity(s event.Severity) int {
	switch s {
	case event.SeverityHigh:
		return 8
	case event.SeverityMedium:
		return 5
	case event.SeverityLow:
		return 3
	}
	return 0
}

// Format renders c as one CEF line, without a trailing newline.
func Format(c event.Change) ([]byte, error) {
	a := &c.Alert
	var b strings.Builder
	b.WriteString("CEF:0|Vedette|Vedette|" + DeviceVersion + "|")
	for _, f := range []string{a.Detection, a.Name, strconv.Itoa(Severity(a.Severity))} {
		b.WriteString(Header(f))
		b.WriteByte('|')
	}
	first, last := format.Span(a)
	ext := [][2]string{
		{"rt", ms(c.At.UnixMilli())},
		{"start", ms(first.UnixMilli())},
		{"end", ms(last.UnixMilli())},
		{"externalId", a.ID},
		{"act", string(c.Kind)},
		{"cat", a.MITRE.Tactic},
		{"msg", a.Description},
		{"suser", a.Principal},
		{"cnt", strconv.Itoa(len(a.Evidence))},
	}
	ext = append(ext, sourceFields(a)...)
	if hosts := format.Entities(a, "host"); len(hosts) > 0 {
		ext = append(ext, [2]string{"dhost", hosts[0]})
	}
	ext = append(ext, custom(c)...)
	sep := ""
	for _, kv := range ext {
		if kv[1] == "" {
			continue
		}
		b.WriteString(sep + kv[0] + "=" + Value(kv[1]))
		sep = " "
	}
	return []byte(b.String()), nil
}

func ms(v int64) string { return strconv.FormatInt(v, 10) }

// custom fills the labelled custom fields, so a SIEM shows their meaning.
func custom(c event.Change) [][2]string {
	a := &c.Alert
	technique := strings.TrimSpace(a.MITRE.TechniqueID + " " + a.MITRE.Technique)
	pairs := [][2]string{
		{"cs1", technique}, {"cs1Label", "Technique"},
		{"cs2", a.Tenant}, {"cs2Label", "Tenant"},
		{"cs3", a.Subscription}, {"cs3Label", "Subscription"},
		{"cs4", string(c.Triage.Status)}, {"cs4Label", "Status"},
		{"cs5", string(c.Triage.Classification)}, {"cs5Label", "Classification"},
		{"cs6", c.Triage.Incident}, {"cs6Label", "Incident"},
		{"cn1", strconv.Itoa(int(a.Confidence*100 + 0.5))}, {"cn1Label", "Confidence"},
		{"cn2", strconv.FormatInt(c.Seq, 10)}, {"cn2Label", "Sequence"},
	}
	var out [][2]string
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i][1] != "" { // a label without its value is noise
			out = append(out, pairs[i], pairs[i+1])
		}
	}
	return out
}

// sourceFields describes where the triggering activity came from: the
// alert's current IP (src for IPv4, c6a2 for IPv6), its location and client.
func sourceFields(a *event.Alert) [][2]string {
	var out [][2]string
	ip, loc := sourceIP(a)
	if addr, err := netip.ParseAddr(ip); err == nil {
		if addr.Unmap().Is4() {
			out = append(out, [2]string{"src", addr.Unmap().String()})
		} else {
			out = append(out, [2]string{"c6a2", addr.String()}, [2]string{"c6a2Label", "Source IPv6 Address"})
		}
	}
	if loc != nil && loc.HasCoord {
		out = append(out,
			[2]string{"slat", strconv.FormatFloat(loc.Lat, 'f', -1, 64)},
			[2]string{"slong", strconv.FormatFloat(loc.Lon, 'f', -1, 64)})
	}
	if n := len(a.Evidence); n > 0 {
		out = append(out, [2]string{"requestClientApplication", a.Evidence[n-1].UserAgent})
	}
	return out
}

// sourceIP picks the IP entity with role "current", else the first one.
func sourceIP(a *event.Alert) (string, *event.Location) {
	var first *event.Entity
	for i := range a.Entities {
		e := &a.Entities[i]
		if e.Type != "ip" {
			continue
		}
		if e.Role == "current" {
			return e.ID, e.Location
		}
		if first == nil {
			first = e
		}
	}
	if first == nil {
		return "", nil
	}
	return first.ID, first.Location
}

var (
	headerEscaper = strings.NewReplacer(`\`, `\\`, `|`, `\|`, "\r\n", " ", "\n", " ", "\r", " ")
	valueEscaper  = strings.NewReplacer(`\`, `\\`, `=`, `\=`, "\r\n", `\n`, "\n", `\n`, "\r", `\r`)
)

// Header escapes a header field: backslash and pipe get a backslash.
func Header(s string) string { return headerEscaper.Replace(s) }

// Value escapes an extension value: backslash and equal sign get a
// backslash, line breaks are written \n (or \r for a lone carriage return).
func Value(s string) string { return valueEscaper.Replace(s) }
