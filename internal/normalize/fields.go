package normalize

import (
	"net/netip"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// timeLayouts are tried in order. Go's fractional-second layout element
// accepts 0 to 9 digits, which covers Azure's 7-digit timestamps. Times
// without a zone are UTC (Log Analytics exports drop the Z).
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"1/2/2006, 3:04:05.999 PM", // Log Analytics portal CSV export, UTC
}

// parseTime parses a record timestamp into UTC.
func parseTime(s string) (time.Time, bool) {
	var c minuteCache
	return c.parseTime(s)
}

// parseTime is parseTime, its quick path remembering the last minute.
func (c *minuteCache) parseTime(s string) (time.Time, bool) {
	if s = quickTrim(s); s == "" {
		return time.Time{}, false
	}
	if t, ok := c.rfc3339(s); ok {
		return t, true
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// parseIP parses the address in field, also in "ip:port" and "[v6]:port"
// form. Empty, placeholders and host names (CloudTrail names the service
// that acted: "ec2.amazonaws.com", "AWS Internal") give the zero Addr: no
// address. A value meant as an address that is not one ("999.1.1.1",
// " 8.8.8.8 ", a proxy chain "a, b") gives a rejection detail instead,
// so the record is set aside with the reason rather than kept without its
// address.
func parseIP(field, s string) (netip.Addr, string) {
	if s == "" {
		return netip.Addr{}, ""
	}
	if a, ok := quickIPv4(s); ok {
		return a, ""
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), ""
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), ""
	}
	switch {
	case strings.Contains(s, ","):
		return netip.Addr{}, field + " " + quoteShort(s) + " is a list of addresses, not one"
	case strings.TrimSpace(s) != s:
		return netip.Addr{}, field + " " + quoteShort(s) + " has spaces around the address"
	case looksLikeAddress(s):
		return netip.Addr{}, field + " " + quoteShort(s) + " is not an IP address"
	}
	return netip.Addr{}, ""
}

// looksLikeAddress reports whether s is made of what IP addresses are
// made of (digits, hex, dots, colons, brackets, a zone), so it was meant as
// one; a host name has other letters.
func looksLikeAddress(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isHex(c) && c != '.' && c != ':' && c != '[' && c != ']' && c != '%' {
			return false
		}
	}
	return true
}

// subscriptionOf extracts the subscription ID, as written, from an ARM
// resource ID ("/subscriptions/<id>/...").
func subscriptionOf(resourceID string) string { return segmentAfter(resourceID, "/subscriptions/") }

// segmentAfter returns the path segment that follows prefix (matched without
// regard to case) at the start of id, or "".
func segmentAfter(id, prefix string) string {
	if len(id) <= len(prefix) || !strings.EqualFold(id[:len(prefix)], prefix) {
		return ""
	}
	rest := id[len(prefix):]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// isGUID reports whether s looks like an object ID.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// recordLocation sets l, zero, to the location a sign-in record states
// about itself. Coordinates count only when non-zero and in range: some
// exports carry latitude and longitude swapped (latitude 125) or zeroed.
// A city alone is no location: l stays zero.
func recordLocation(l *event.Location, country, city string, lat, lon float64) {
	country = toUpper(quickTrim(country))
	coord := validCoord(lat, lon)
	if country == "" && !coord {
		return
	}
	l.Country, l.City, l.Source = country, city, "record"
	if coord {
		l.Lat, l.Lon, l.HasCoord, l.RadiusKm = lat, lon, true, 25
	}
}

// quickTrim is strings.TrimSpace, without its call for the values
// records mostly have, with nothing to trim.
func quickTrim(s string) string {
	if spaced(s) {
		return strings.TrimSpace(s)
	}
	return s
}

// toUpper is strings.ToUpper, without its call for the upper-case ASCII
// values records mostly have (country codes).
func toUpper(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || 'a' <= c && c <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

// spaced reports whether strings.TrimSpace may change s: it starts or
// ends with a space, a control character or a non-ASCII byte.
func spaced(s string) bool {
	return s != "" && (s[0]-'!' > '~'-'!' || s[len(s)-1]-'!' > '~'-'!')
}

func validCoord(lat, lon float64) bool {
	return (lat != 0 || lon != 0) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
