package geoip

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/phuslu/iploc"

	"github.com/vedette/vedette/internal/event"
)

func TestBuiltinLocate(t *testing.T) {
	t.Parallel()
	b := NewBuiltin()
	if !strings.HasPrefix(b.Build(), "iploc v") {
		t.Fatalf("Build() = %q, want iploc and a version", b.Build())
	}
	tests := []struct {
		ip     string
		want   string // country; "" for not found
		radius float64
	}{
		{"8.8.8.8", "US", 2300},
		{"2001:4860:4860::8888", "US", 2300},
		{"1.1.1.1", "AU", 2000}, // APNIC's research prefix, registered in AU
		{"175.45.176.99", "KP", 300},
		{"109.88.218.99", "BE", 150},
		{"::ffff:109.88.218.99", "BE", 150},
		{"136.55.145.135", "US", 2300},
		{"37.142.150.162", "IL", 220},
		{"10.0.3.5", "", 0},
		{"100.64.0.1", "", 0},
		{"2001:db8::1", "", 0},
		{"fc00::1", "", 0},
	}
	for _, tt := range tests {
		got, ok := b.Locate(netip.MustParseAddr(tt.ip))
		if tt.want == "" {
			if ok {
				t.Errorf("Locate(%s) = %+v, want not found", tt.ip, got)
			}
			continue
		}
		c := centres[tt.want]
		want := event.Location{
			Country: tt.want, Lat: c.lat, Lon: c.lon, RadiusKm: tt.radius,
			HasCoord: true, Source: "builtin", Build: b.Build(),
		}
		if diff := cmp.Diff(want, got); !ok || diff != "" {
			t.Errorf("Locate(%s) ok=%v (-want +got):\n%s", tt.ip, ok, diff)
		}
	}
}

// TestBuiltinImpossibleTravelCase checks the msticpy case in EXPECTED.md:
// US then BE 84 minutes later must stay impossible at country level.
func TestBuiltinImpossibleTravelCase(t *testing.T) {
	t.Parallel()
	b := NewBuiltin()
	us, _ := b.Locate(netip.MustParseAddr("136.55.145.135"))
	be, _ := b.Locate(netip.MustParseAddr("109.88.218.99"))
	d := haversineKm(us.Lat, us.Lon, be.Lat, be.Lon) - us.RadiusKm - be.RadiusKm
	if speed := d / (84.0 / 60); speed < 1000 {
		t.Errorf("US->BE at least %.0f km in 84 min = %.0f km/h, want impossible (>1000)", d, speed)
	}
}

// TestBuiltinCoversIPv4Countries sweeps one address per IPv4 /24, which
// reaches every country iploc has an IPv4 range of /24 or more for.
func TestBuiltinCoversIPv4Countries(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("16M lookups; TestBuiltinCoversAllCountries covers the same")
	}
	seen := map[string]bool{}
	for n := uint32(0); n < 1<<24; n++ {
		ip := netip.AddrFrom4([4]byte{byte(n >> 16), byte(n >> 8), byte(n), 1})
		seen[iploc.IPCountry(ip)] = true
	}
	delete(seen, "ZZ")
	if len(seen) < 200 {
		t.Fatalf("saw only %d countries", len(seen))
	}
	for cc := range seen {
		if _, ok := centres[cc]; !ok {
			t.Errorf("iploc returns %q, which has no centre", cc)
		}
	}
}

// TestBuiltinCoversAllCountries reads the country columns iploc embeds
// (ipv4.txt and ipv6.txt: two letters per range) from its module
// directory, so IPv6-only and tiny ranges are covered too.
func TestBuiltinCoversAllCountries(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/phuslu/iploc").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("iploc module directory not found: %v", err)
	}
	for _, name := range []string{"ipv4.txt", "ipv6.txt"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		codes := map[string]bool{}
		for i := 0; i+2 <= len(data); i += 2 {
			codes[string(data[i:i+2])] = true
		}
		delete(codes, "ZZ")
		for cc := range codes {
			if _, ok := centres[cc]; !ok {
				t.Errorf("%s: iploc returns %q, which has no centre", name, cc)
			}
		}
		t.Logf("%s: %d countries, all with a centre", name, len(codes))
	}
}

func TestChainFirstHit(t *testing.T) {
	t.Parallel()
	be := fixedLocator{loc: event.Location{Country: "BE", Source: "fixed"}, build: "one"}
	chain := Chain{fixedLocator{build: "none"}, be, NewBuiltin()}
	got, ok := chain.Locate(netip.MustParseAddr("8.8.8.8"))
	if !ok || got.Country != "BE" {
		t.Errorf("Locate = %+v, %v; want the second locator's hit", got, ok)
	}
	if _, ok := (Chain{}).Locate(netip.MustParseAddr("8.8.8.8")); ok {
		t.Error("empty chain found something")
	}
	if got, want := chain.Build(), "none + one + "+NewBuiltin().Build(); got != want {
		t.Errorf("Build() = %q, want %q", got, want)
	}
}

// fixedLocator finds everything at one place, or nothing when loc is zero.
type fixedLocator struct {
	loc   event.Location
	build string
}

func (f fixedLocator) Locate(netip.Addr) (event.Location, bool) { return f.loc, f.loc.Known() }
func (f fixedLocator) Build() string                            { return f.build }

func BenchmarkBuiltinLocate(b *testing.B) {
	for _, ip := range []string{"109.88.218.99", "2a02:a03f::1"} {
		b.Run(ip, func(b *testing.B) {
			l, addr := NewBuiltin(), netip.MustParseAddr(ip)
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := l.Locate(addr); !ok {
					b.Fatal("not found")
				}
			}
		})
	}
}
