package gen

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/phuslu/iploc"
)

func smallConfig(seed uint64) Config {
	c := DefaultConfig()
	c.Seed, c.Users, c.Days, c.Density = seed, 60, 12, 0.5
	return c
}

func hashFiles(t *testing.T, dir string, files []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range files {
		fh, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, fh); err != nil {
			t.Fatal(err)
		}
		fh.Close()
		out[f] = fmt.Sprintf("%x", h.Sum(nil))
	}
	return out
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	hashes := make([]map[string]string, 3)
	for i, seed := range []uint64{7, 7, 8} {
		dir := t.TempDir()
		s, err := Generate(dir, smallConfig(seed))
		if err != nil {
			t.Fatal(err)
		}
		hashes[i] = hashFiles(t, dir, s.Files)
	}
	if diff := cmp.Diff(hashes[0], hashes[1]); diff != "" {
		t.Errorf("same seed, different output (-first +second):\n%s", diff)
	}
	for _, f := range []string{SignInsFile, ActivityFile, LabelsFile} {
		if hashes[0][f] == hashes[2][f] {
			t.Errorf("%s: seeds 7 and 8 gave the same bytes", f)
		}
	}
}

func TestVolume(t *testing.T) {
	m := loadDefault(t)
	if n := m.sum.SignIns; n < 100_000 || n > 200_000 {
		t.Errorf("sign-ins = %d, want 100k-200k", n)
	}
	if n := m.sum.Activities; n < 15_000 || n > 25_000 {
		t.Errorf("activities = %d, want about 20k", n)
	}
	if len(m.signins) != m.sum.SignIns {
		t.Errorf("file has %d sign-ins, summary says %d", len(m.signins), m.sum.SignIns)
	}
	var nonInteractive, failed, private, noCoords int
	for _, s := range m.signins {
		switch {
		case !s.Properties.Interactive:
			nonInteractive++
		case !s.ok():
			failed++
		}
		if s.ip.IsPrivate() {
			private++
		} else if s.Properties.Location.Coords == nil {
			noCoords++
		}
	}
	n := float64(len(m.signins))
	for _, c := range []struct {
		name   string
		got    int
		lo, hi float64
	}{
		{"non-interactive", nonInteractive, 0.4, 0.75},
		{"failed interactive", failed, 0.01, 0.1},
		{"private", private, 0.0005, 0.02},
		{"without coordinates", noCoords, 0.07, 0.13},
	} {
		if f := float64(c.got) / n; f < c.lo || f > c.hi {
			t.Errorf("%s: %.3f of records, want %.3f-%.3f", c.name, f, c.lo, c.hi)
		}
	}
}

// signInFields and activityFields are the fields every record must carry.
var (
	signInFields     = []string{"time", "resourceId", "operationName", "category", "tenantId", "resultType", "callerIpAddress", "identity", "location", "properties"}
	signInPropFields = []string{"id", "createdDateTime", "userDisplayName", "userPrincipalName", "userId", "appId", "appDisplayName", "ipAddress", "clientAppUsed", "userAgent", "isInteractive", "status", "location", "deviceDetail"}
	activityFields   = []string{"time", "resourceId", "operationName", "category", "resultType", "callerIpAddress", "correlationId", "identity", "level", "properties"}
)

func missing(m map[string]any, keys []string) []string {
	var out []string
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

func TestSignInRecords(t *testing.T) {
	m := loadDefault(t)
	ids := map[string]bool{}
	line := 0
	err := eachLine(filepath.Join(m.dir, SignInsFile), func(b []byte) error {
		line++
		var r map[string]any
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		props, _ := r["properties"].(map[string]any)
		if miss := append(missing(r, signInFields), missing(props, signInPropFields)...); len(miss) > 0 {
			return fmt.Errorf("line %d: missing %v", line, miss)
		}
		id := props["id"].(string)
		if ids[id] {
			return fmt.Errorf("line %d: duplicate id %s", line, id)
		}
		ids[id] = true
		if r["operationName"] != "Sign-in activity" {
			return fmt.Errorf("line %d: operationName %v", line, r["operationName"])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(m.signins); i++ {
		if m.signins[i].Time.Before(m.signins[i-1].Time) {
			t.Fatalf("record %d is earlier than record %d", i+1, i)
		}
	}
}

func TestActivityRecords(t *testing.T) {
	m := loadDefault(t)
	var prev time.Time
	types := map[string]int{}
	err := eachLine(filepath.Join(m.dir, ActivityFile), func(b []byte) error {
		var r map[string]any
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if miss := missing(r, activityFields); len(miss) > 0 {
			return fmt.Errorf("missing %v", miss)
		}
		id := r["identity"].(map[string]any)
		auth := id["authorization"].(map[string]any)
		ev := auth["evidence"].(map[string]any)
		types[ev["principalType"].(string)]++
		claims := id["claims"].(map[string]any)
		if ev["principalType"] == "User" && claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] == nil {
			return fmt.Errorf("user operation without upn claim: %s", b)
		}
		ts, err := time.Parse(time.RFC3339Nano, r["time"].(string))
		if ts.Before(prev) {
			return fmt.Errorf("out of order at %v", ts)
		}
		prev = ts
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if types["User"] < 1000 || types["ServicePrincipal"] < 5000 {
		t.Errorf("principal types %v: want both users and automation", types)
	}
}

// TestIPsInClaimedCountry checks every public address against iploc.
func TestIPsInClaimedCountry(t *testing.T) {
	m := loadDefault(t)
	for _, s := range m.signins {
		c := s.Properties.Location.Country
		if s.ip.IsPrivate() {
			if c != "" {
				t.Fatalf("%s: private %s located in %s", s.Properties.ID, s.ip, c)
			}
			continue
		}
		if got := iploc.IPCountry(s.ip); got != c {
			t.Fatalf("%s: %s is in %s per iploc, record says %s", s.Properties.ID, s.ip, got, c)
		}
	}
}

func TestLabelsPointAtRecords(t *testing.T) {
	m := loadDefault(t)
	byID := map[string]*parsedSignIn{}
	for _, s := range m.signins {
		byID[s.Properties.ID] = s
	}
	outcomes := activityOutcomes(t, m.dir)
	for _, l := range m.labels {
		if slices.Contains(ManagementDetections, l.Detection) {
			// Management labels point at an Activity Log outcome by time
			// and principal.
			if !outcomes[l.Time.Format(time.RFC3339Nano)+" "+l.Principal] || l.Scenario == "" || l.Key != "" {
				t.Errorf("%s: label (%v, %s) has no successful activity record, or no scenario", l.Detection, l.Time, l.Principal)
			}
			continue
		}
		s := byID[l.Key]
		switch {
		case s == nil:
			t.Errorf("%s: no record %s", l.Detection, l.Key)
		case !s.Time.Equal(l.Time) || s.Properties.UPN != l.Principal:
			t.Errorf("%s: label (%v, %s), record (%v, %s)", l.Key, l.Time, l.Principal, s.Time, s.Properties.UPN)
		case l.Detection == DetPasswordSpray:
			// A spray is failures, and needs no learning period.
			if s.ok() || l.Scenario == "" {
				t.Errorf("%s: spray label on a successful sign-in, or without scenario", l.Key)
			}
		case l.Time.Before(DefaultConfig().Start.AddDate(0, 0, 8)):
			t.Errorf("%s: attack on %v, inside the learning period", l.Key, l.Time)
		case !s.ok() || !s.Properties.Interactive || l.Scenario == "":
			t.Errorf("%s: label on a failed or non-interactive sign-in, or without scenario", l.Key)
		}
	}
}

func TestReadLabelsRoundTrip(t *testing.T) {
	t.Parallel()
	want := []Label{
		{DetAnonymousIP, "a@contoso.com", time.Date(2026, 10, 9, 6, 26, 48, 80244500, time.UTC), "k1", "tor"},
		{DetImpossibleTravel, "b@contoso.com", time.Date(2026, 10, 12, 1, 2, 3, 0, time.UTC), "k2", "takeover"},
	}
	path := filepath.Join(t.TempDir(), "labels.jsonl")
	if err := writeLabels(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := ReadLabels(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := ReadLabels(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for name, mod := range map[string]func(*Config){
		"few days":      func(c *Config) { c.Days = 5 },
		"few users":     func(c *Config) { c.Users = 3 },
		"no subs":       func(c *Config) { c.Subscriptions = 0 },
		"no tenant":     func(c *Config) { c.Tenant = "" },
		"unknown home":  func(c *Config) { c.HomeCountry = "ZZ" },
		"density above": func(c *Config) { c.Density = 2 },
	} {
		t.Run(name, func(t *testing.T) {
			c := DefaultConfig()
			mod(&c)
			if _, err := Generate(t.TempDir(), c); !errors.Is(err, ErrConfig) {
				t.Errorf("err = %v, want ErrConfig", err)
			}
		})
	}
}

func TestOtherHomeCountry(t *testing.T) {
	t.Parallel()
	c := smallConfig(3)
	c.HomeCountry = "GB"
	m, err := generateAndParse(t.TempDir(), c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range m.signins {
		if !s.ip.IsPrivate() && iploc.IPCountry(s.ip) != s.Properties.Location.Country {
			t.Fatalf("%s: %s not in %s", s.Properties.ID, s.ip, s.Properties.Location.Country)
		}
	}
	if len(m.labels) == 0 {
		t.Error("no attacks")
	}
}

func TestSample(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := GenerateSample(dir); err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, f := range []string{SignInsFile, ActivityFile, LabelsFile, TorExitFile, AnonymousProxyFile, VPNFile, CorporateFile} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		total += st.Size()
	}
	if total > 2<<20 {
		t.Errorf("sample is %d bytes, want under 2 MiB", total)
	}
	m, err := generateAndParse(t.TempDir(), SampleConfig())
	if err != nil {
		t.Fatal(err)
	}
	checkOracles(t, m, 1, 5)
}

// TestShippedSample checks that testdata/sample is what GenerateSample
// writes today.
func TestShippedSample(t *testing.T) {
	t.Parallel()
	shipped := filepath.Join("..", "..", "testdata", "sample")
	if _, err := os.Stat(filepath.Join(shipped, SignInsFile)); err != nil {
		t.Skip("no shipped sample")
	}
	dir := t.TempDir()
	if err := GenerateSample(dir); err != nil {
		t.Fatal(err)
	}
	files := []string{SignInsFile, ActivityFile, LabelsFile, TorExitFile, AnonymousProxyFile, VPNFile, CorporateFile}
	if diff := cmp.Diff(hashFiles(t, shipped, files), hashFiles(t, dir, files)); diff != "" {
		t.Errorf("testdata/sample is stale; regenerate it (-shipped +now):\n%s", diff)
	}
}

func TestCityTable(t *testing.T) {
	t.Parallel()
	names := append([]string{}, travelCities...)
	for _, v := range dcCities {
		names = append(names, v)
	}
	names = append(names, "London", "Berlin", "Bengaluru", "Zurich")
	for _, n := range names {
		if cityNamed(n) == nil {
			t.Errorf("city %q not in table", n)
		}
	}
	for _, c := range infrequentCountries {
		if capitalOf(c) == nil || len(ipHints[c][residential]) == 0 {
			t.Errorf("infrequent country %s lacks a city or address ranges", c)
		}
	}
}

func TestDistance(t *testing.T) {
	t.Parallel()
	// Paris - New York is 5,837 km: at least 9.3 h door to door.
	km := cityDistance(cityNamed("Paris"), cityNamed("New York"))
	if km < 5800 || km > 5870 {
		t.Errorf("Paris-New York = %.0f km", km)
	}
	if h := minTravelHours(km); h < 9.2 || h > 9.4 {
		t.Errorf("min travel %.2f h", h)
	}
}

func TestAllocatorCountries(t *testing.T) {
	t.Parallel()
	a := newAllocator(newTestRand())
	for c := range ipHints {
		for _, k := range []netKind{residential, mobile, hosting} {
			ip, err := a.addr(c, k)
			if err != nil {
				t.Errorf("%s/%d: %v", c, k, err)
				continue
			}
			if got := iploc.IPCountry(ip); got != c {
				t.Errorf("%s/%d: %s is in %s", c, k, ip, got)
			}
		}
	}
	blk, err := a.block("CH", []string{"185.159.156.0/22"}, 28)
	if err != nil {
		t.Fatal(err)
	}
	for ip := blk.Addr(); blk.Contains(ip); ip = ip.Next() {
		if iploc.IPCountry(ip) != "CH" || !a.reservedHas(ip) {
			t.Fatalf("%s in block %s: %s", ip, blk, iploc.IPCountry(ip))
		}
	}
}

func (a *allocator) reservedHas(ip netip.Addr) bool { return !a.usable(ip) }

func BenchmarkGenerate(b *testing.B) {
	dir := b.TempDir()
	b.ReportAllocs()
	var s Summary
	for b.Loop() {
		var err error
		if s, err = Generate(dir, DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.SignIns+s.Activities), "records/op")
}

// activityOutcomes returns "time principal" of every successful Activity
// Log record, the principal being the UPN claim or the object ID.
func activityOutcomes(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := eachLine(filepath.Join(dir, ActivityFile), func(b []byte) error {
		var r struct {
			Time       time.Time `json:"time"`
			ResultType string    `json:"resultType"`
			Identity   struct {
				Claims map[string]string `json:"claims"`
			} `json:"identity"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		who := r.Identity.Claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"]
		if who == "" {
			who = r.Identity.Claims["http://schemas.microsoft.com/identity/claims/objectidentifier"]
		}
		if r.ResultType == "Success" {
			out[r.Time.Format(time.RFC3339Nano)+" "+who] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
