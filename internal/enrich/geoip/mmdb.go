package geoip

import (
	"fmt"
	"math"
	"net/netip"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"
	"github.com/oschwald/maxminddb-golang/v2/mmdbdata"

	"github.com/vedette/vedette/internal/event"
)

// Radii used when a database record has no accuracy_radius, as DB-IP Lite
// and the ip-location-db builds have none.
const (
	// DefaultCityRadiusKm is the radius given to a record that names a city
	// (or has coordinates) but no accuracy radius: free city databases place
	// most addresses within about 50 km of the true city.
	DefaultCityRadiusKm = 50
	// DefaultCountryRadiusKm is the radius given to a country-only record
	// when the country is not in the builtin table.
	DefaultCountryRadiusKm = 1000
)

// MMDB locates addresses with a MaxMind-format City database. It reads
// both the GeoIP2/GeoLite2 shape (country.iso_code, city.names.en,
// location.latitude/longitude/accuracy_radius), which DB-IP's own City Lite
// .mmdb also uses, and the flat shape of the ip-location-db builds such as
// dbip-city-mmdb (country_code, city, latitude, longitude).
type MMDB struct {
	r     *maxminddb.Reader
	build string
}

var _ Locator = (*MMDB)(nil)

// OpenMMDB opens (memory-maps) a City database. Close it when done.
func OpenMMDB(path string) (*MMDB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geoip: open %s: %w", path, err)
	}
	md := r.Metadata
	build := md.DatabaseType + " " + time.Unix(int64(md.BuildEpoch), 0).UTC().Format(time.DateOnly)
	return &MMDB{r: r, build: build}, nil
}

// Close unmaps the database; Locate must not be called after.
func (m *MMDB) Close() error {
	if err := m.r.Close(); err != nil {
		return fmt.Errorf("geoip: close: %w", err)
	}
	return nil
}

// Build returns the database type and its build date, e.g.
// "GeoLite2-City 2024-05-03".
func (m *MMDB) Build() string { return m.build }

// cityRecord holds the fields Vedette reads, in both record shapes. The
// "city" key is a map in one and a string in the other, hence cityName.
type cityRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	City     cityName `maxminddb:"city"`
	Location struct {
		Latitude       float64 `maxminddb:"latitude"`
		Longitude      float64 `maxminddb:"longitude"`
		AccuracyRadius uint16  `maxminddb:"accuracy_radius"`
	} `maxminddb:"location"`
	CountryCode string  `maxminddb:"country_code"`
	Latitude    float64 `maxminddb:"latitude"`
	Longitude   float64 `maxminddb:"longitude"`
}

// Locate returns the database's location for a public ip. Addresses the
// database has no record for, or whose record names no country and no
// coordinates, are not found, so that a Chain falls through. A database of
// the other address family (DB-IP Lite ships one file per family) also
// reports not found.
func (m *MMDB) Locate(ip netip.Addr) (event.Location, bool) {
	ip = ip.Unmap()
	if !event.IsPublicIP(ip) {
		return event.Location{}, false
	}
	res := m.r.Lookup(ip)
	if !res.Found() {
		return event.Location{}, false
	}
	var rec cityRecord
	if err := res.Decode(&rec); err != nil {
		return event.Location{}, false
	}
	return m.location(&rec)
}

func (m *MMDB) location(rec *cityRecord) (event.Location, bool) {
	loc := event.Location{
		Country: rec.Country.ISOCode, City: string(rec.City),
		Lat: rec.Location.Latitude, Lon: rec.Location.Longitude,
		RadiusKm: float64(rec.Location.AccuracyRadius),
		Source:   "mmdb", Build: m.build,
	}
	if loc.Country == "" {
		loc.Country = rec.CountryCode
	}
	if loc.Lat == 0 && loc.Lon == 0 {
		loc.Lat, loc.Lon = rec.Latitude, rec.Longitude
	}
	// (0, 0) is open sea: databases write it for "no coordinates".
	loc.HasCoord = loc.Lat != 0 || loc.Lon != 0
	// Some builds store float32 coordinates; rounding to 1e-4 degrees (about
	// 11 m) drops the conversion noise (50.5359992980957 -> 50.536).
	loc.Lat, loc.Lon = roundCoord(loc.Lat), roundCoord(loc.Lon)
	switch {
	case !loc.HasCoord && loc.Country == "":
		return event.Location{}, false
	case !loc.HasCoord:
		fillCountryCentre(&loc)
	case loc.RadiusKm == 0 && loc.City == "":
		loc.RadiusKm = countryRadius(loc.Country)
	case loc.RadiusKm == 0:
		loc.RadiusKm = DefaultCityRadiusKm
	}
	return loc, true
}

func roundCoord(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// fillCountryCentre places a country-only record like Builtin would.
func fillCountryCentre(loc *event.Location) {
	if c, ok := centres[loc.Country]; ok {
		loc.Lat, loc.Lon, loc.RadiusKm, loc.HasCoord = c.lat, c.lon, c.radiusKm, true
		return
	}
	loc.RadiusKm = DefaultCountryRadiusKm
}

// countryRadius is the radius of a record whose coordinates are a
// country's (no city): the builtin table's, or DefaultCountryRadiusKm.
func countryRadius(country string) float64 {
	if c, ok := centres[country]; ok {
		return c.radiusKm
	}
	return DefaultCountryRadiusKm
}

// cityName decodes either a GeoIP2 city map ({"names": {"en": ...}}) or a
// plain string.
type cityName string

func (c *cityName) UnmarshalMaxMindDBCursor(cur mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	kind, err := cur.Kind()
	if err != nil {
		return cur, err
	}
	switch kind {
	case mmdbdata.KindString:
		s, next, err := cur.ReadString()
		*c = cityName(s)
		return next, err
	case mmdbdata.KindMap:
		return c.readCityMap(cur)
	}
	return cur.Skip()
}

// readCityMap reads names.en from a GeoIP2 city map, skipping the rest.
func (c *cityName) readCityMap(cur mmdbdata.Cursor) (mmdbdata.Cursor, error) {
	return readMap(cur, func(key []byte, val mmdbdata.Cursor) (mmdbdata.Cursor, error) {
		if string(key) != "names" {
			return val.Skip()
		}
		return readMap(val, func(lang []byte, name mmdbdata.Cursor) (mmdbdata.Cursor, error) {
			if string(lang) != "en" {
				return name.Skip()
			}
			s, next, err := name.ReadString()
			*c = cityName(s)
			return next, err
		})
	})
}

// readMap walks a map, letting fn consume each value and return its
// successor.
func readMap(cur mmdbdata.Cursor, fn func(key []byte, val mmdbdata.Cursor) (mmdbdata.Cursor, error)) (mmdbdata.Cursor, error) {
	m, err := cur.Map()
	if err != nil {
		return cur, err
	}
	var next mmdbdata.Cursor
	for {
		key, val, ok := m.Next(next)
		if !ok {
			break
		}
		if next, err = fn(key, val); err != nil {
			return cur, err
		}
	}
	return m.End()
}
