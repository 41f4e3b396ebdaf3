package gen

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// parsedSignIn is what the tests need of a sign-in record.
type parsedSignIn struct {
	Time       time.Time `json:"time"`
	Category   string    `json:"category"`
	ResultType string    `json:"resultType"`
	Caller     string    `json:"callerIpAddress"`
	Properties struct {
		ID          string `json:"id"`
		UPN         string `json:"userPrincipalName"`
		IP          string `json:"ipAddress"`
		Interactive bool   `json:"isInteractive"`
		Status      struct {
			ErrorCode int `json:"errorCode"`
		} `json:"status"`
		Location struct {
			Country string `json:"countryOrRegion"`
			Coords  *struct {
				Lat float64 `json:"latitude"`
				Lon float64 `json:"longitude"`
			} `json:"geoCoordinates"`
		} `json:"location"`
	} `json:"properties"`
	ip netip.Addr
}

func (s *parsedSignIn) ok() bool { return s.Properties.Status.ErrorCode == 0 }

// month is one generated data set, parsed.
type month struct {
	dir     string
	sum     Summary
	signins []*parsedSignIn
	labels  []Label
	tor     map[netip.Addr]bool
	anon    []netip.Prefix
	vpn     []netip.Prefix
	corp    []netip.Prefix
}

var (
	defaultOnce  sync.Once
	defaultMonth *month
	defaultErr   error
)

// loadDefault generates and parses the default month once per test binary.
func loadDefault(t testing.TB) *month {
	t.Helper()
	defaultOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gen-default-")
		if err != nil {
			defaultErr = err
			return
		}
		defaultMonth, defaultErr = generateAndParse(dir, DefaultConfig())
	})
	if defaultErr != nil {
		t.Fatal(defaultErr)
	}
	return defaultMonth
}

func generateAndParse(dir string, cfg Config) (*month, error) {
	sum, err := Generate(dir, cfg)
	if err != nil {
		return nil, err
	}
	m := &month{dir: dir, sum: sum, tor: map[netip.Addr]bool{}}
	if m.labels, err = ReadLabels(filepath.Join(dir, LabelsFile)); err != nil {
		return nil, err
	}
	err = eachLine(filepath.Join(dir, SignInsFile), func(b []byte) error {
		s := &parsedSignIn{}
		if err := json.Unmarshal(b, s); err != nil {
			return err
		}
		s.ip, err = netip.ParseAddr(s.Properties.IP)
		m.signins = append(m.signins, s)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := m.readLists(); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *month) readLists() error {
	err := eachLine(filepath.Join(m.dir, TorExitFile), func(b []byte) error {
		ip, err := netip.ParseAddr(string(b))
		m.tor[ip] = true
		return err
	})
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		dst  *[]netip.Prefix
	}{{AnonymousProxyFile, &m.anon}, {VPNFile, &m.vpn}, {CorporateFile, &m.corp}} {
		err := eachLine(filepath.Join(m.dir, f.name), func(b []byte) error {
			field, _, _ := strings.Cut(string(b), ",")
			if field == "network" {
				return nil
			}
			p, err := netip.ParsePrefix(field)
			*f.dst = append(*f.dst, p)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func eachLine(path string, f func([]byte) error) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if err := f(sc.Bytes()); err != nil {
			return err
		}
	}
	return sc.Err()
}

func inAny(ps []netip.Prefix, ip netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// TestMain removes the shared default month, a few hundred megabytes.
func TestMain(m *testing.M) {
	code := m.Run()
	if defaultMonth != nil {
		os.RemoveAll(defaultMonth.dir)
	}
	os.Exit(code)
}
