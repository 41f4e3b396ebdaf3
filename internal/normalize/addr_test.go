package normalize

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

// TestAddressesAndCoordinates: a value meant as an address that is not one
// sets the record aside with the reason; a host name or placeholder is no
// address; a null coordinate leaves the coordinates missing, not (0, lon).
func TestAddressesAndCoordinates(t *testing.T) {
	tmpl := string(bytes.TrimSpace(signInLines(t, 1)))
	const ip, coords = `"ipAddress":"203.0.113.45"`, `"geoCoordinates":{"latitude":47.6062,"longitude":-122.3321}`
	if !strings.Contains(tmpl, ip) || !strings.Contains(tmpl, coords) {
		t.Fatal("template record changed")
	}
	withIP := func(v string) string {
		// callerIpAddress is the fallback: blank it so ipAddress alone counts.
		return strings.Replace(strings.Replace(tmpl, ip, `"ipAddress":`+v, 1), `"callerIpAddress":"203.0.113.45"`, `"callerIpAddress":""`, 1)
	}
	tests := []struct {
		name, record string
		reason       string // "" = an event
		ip           string
		coord        bool
		lat          float64
	}{
		{"valid", tmpl, "", "203.0.113.45", true, 47.6062},
		{"out of range", withIP(`"999.1.1.1"`), "bad-ip", "", false, 0},
		{"spaces", withIP(`" 8.8.8.8 "`), "bad-ip", "", false, 0},
		{"proxy chain", withIP(`"8.8.8.8, 10.0.0.1"`), "bad-ip", "", false, 0},
		{"ip and port", withIP(`"8.8.8.8:443"`), "", "8.8.8.8", true, 47.6062},
		{"host name", withIP(`"ec2.amazonaws.com"`), "", "", true, 47.6062},
		{"null latitude", strings.Replace(tmpl, coords, `"geoCoordinates":{"latitude":null,"longitude":-122.3321}`, 1), "", "203.0.113.45", false, 0},
		{"no longitude", strings.Replace(tmpl, coords, `"geoCoordinates":{"latitude":47.6}`, 1), "", "203.0.113.45", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &collector{}
			if _, err := Read("t.jsonl", strings.NewReader(tt.record+"\n"+tmpl+"\n"), c); err != nil {
				t.Fatal(err)
			}
			if tt.reason != "" {
				if len(c.rejections) != 1 || c.rejections[0].Reason != tt.reason || c.rejections[0].Record != 1 || len(c.events) != 1 {
					t.Fatalf("want one %s rejection at record 1 and the next record kept; got %v, %d events", tt.reason, c.rejections, len(c.events))
				}
				return
			}
			if len(c.rejections) != 0 || len(c.events) != 2 {
				t.Fatalf("rejections %v, %d events", c.rejections, len(c.events))
			}
			e := c.events[0]
			want := netip.Addr{}
			if tt.ip != "" {
				want = netip.MustParseAddr(tt.ip)
			}
			if e.SourceIP != want || e.Location.HasCoord != tt.coord || e.Location.Lat != tt.lat {
				t.Errorf("ip %v coords %v (%v, %v); want %v %v (%v, _)", e.SourceIP, e.Location.HasCoord, e.Location.Lat, e.Location.Lon, want, tt.coord, tt.lat)
			}
		})
	}
}
