// Package gen generates a realistic, labelled month of one organisation's
// identity and management activity: Entra ID sign-in records, Azure
// Activity Log records, the IP lists the scenario needs and one label per
// injected attack. It is how Vedette's detections are measured: the ordinary
// month carries every pattern a detection must stay quiet on (flights,
// corporate VPN, shared carrier and corporate egress, an undeclared SASE
// pool, Cloud PCs in an Azure region, a consumer VPN many staff use, new
// joiners, token refreshes, a nightly snapshot clean-up) and the labels
// say exactly which events must raise which alert, including attacks that
// hide from location rules (an adversary-in-the-middle relay in the
// victim's country, an attacker in a city where colleagues live), password
// sprays, a brute force that worked, a sign-in from a threat-intelligence
// address and a mass deletion.
//
// Output is a pure function of the Config: the same seed gives the same
// bytes. Every public address geolocates (per github.com/phuslu/iploc) to
// the country its record claims.
package gen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"time"
)

// Config says what to generate.
type Config struct {
	Seed          uint64
	Start         time.Time // first day, UTC midnight
	Days          int
	Users         int
	Tenant        string // Entra tenant ID
	HomeCountry   string // ISO code of the country of the head office
	Subscriptions int    // Azure subscriptions the activity log covers
	// Density scales how much each user and each automation does per day;
	// 1 is realistic, small values make small samples. 0 means 1.
	Density float64
}

// DefaultConfig is a 300-user US organisation over October 2026.
func DefaultConfig() Config {
	return Config{
		Seed:          1,
		Start:         time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		Days:          30,
		Users:         300,
		Tenant:        "8d3f2a61-5b7c-4e1d-9a0f-3c6b2e7d4f10",
		HomeCountry:   "US",
		Subscriptions: 3,
		Density:       1,
	}
}

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("invalid config")

// Validate checks c without touching the disk.
func (c Config) Validate() error {
	switch {
	case c.Days < 10:
		return fmt.Errorf("gen: days %d: at least 10 needed (7-day learning period, then attacks): %w", c.Days, ErrConfig)
	case c.Users < 20:
		return fmt.Errorf("gen: users %d: at least 20 needed: %w", c.Users, ErrConfig)
	case c.Subscriptions < 1:
		return fmt.Errorf("gen: subscriptions %d: at least 1 needed: %w", c.Subscriptions, ErrConfig)
	case c.Tenant == "":
		return fmt.Errorf("gen: empty tenant: %w", ErrConfig)
	case len(citiesIn(c.HomeCountry)) < 4 || len(ipHints[c.HomeCountry][residential]) == 0:
		return fmt.Errorf("gen: home country %q not supported: %w", c.HomeCountry, ErrConfig)
	case c.Density < 0 || c.Density > 1:
		return fmt.Errorf("gen: density %v: must be within [0, 1]: %w", c.Density, ErrConfig)
	}
	return nil
}

// Summary counts what Generate wrote.
type Summary struct {
	SignIns    int
	Activities int
	Labels     map[string]int // per detection
	Files      []string       // relative to the output directory
}

// Output file names, relative to the output directory.
const (
	SignInsFile        = "signins.jsonl"
	ActivityFile       = "activity.jsonl"
	LabelsFile         = "labels.jsonl"
	TorExitFile        = "lists/tor-exit.txt"
	AnonymousProxyFile = "lists/anonymous-proxy.txt"
	VPNFile            = "lists/vpn.csv"
	CorporateFile      = "lists/corporate.txt"
	ThreatIntelFile    = "lists/threat-intel.txt"
)

// generator holds the state of one run.
type generator struct {
	cfg      Config
	rng      *rand.Rand
	alloc    *allocator
	net      *network
	users    []*user
	attacks  []*attack
	sp       []*servicePrincipal
	subs     []*subscription
	signins  *stream
	acts     *stream
	labels   []Label
	anonUsed map[netip.Addr]bool
	end      time.Time
	mgmt     *mgmtPlan
	sprays   []sprayFail
}

// Generate writes the month described by cfg into dir.
func Generate(dir string, cfg Config) (Summary, error) {
	if cfg.Density == 0 {
		cfg.Density = 1
	}
	cfg.Start = cfg.Start.UTC()
	if err := cfg.Validate(); err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "lists"), 0o755); err != nil {
		return Summary{}, fmt.Errorf("gen: %w", err)
	}
	g := &generator{
		cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
		end: cfg.Start.AddDate(0, 0, cfg.Days), anonUsed: map[netip.Addr]bool{},
	}
	g.alloc = newAllocator(g.rng)
	if err := g.plan(); err != nil {
		return Summary{}, err
	}
	if err := g.run(dir); err != nil {
		return Summary{}, err
	}
	return g.finish(dir)
}

// plan lays out the world before any record is written: network,
// population, trips, Azure estate and attacks.
func (g *generator) plan() error {
	if err := g.buildNetwork(); err != nil {
		return err
	}
	if err := g.buildPopulation(); err != nil {
		return err
	}
	g.buildEstate()
	if err := g.planAttacks(); err != nil {
		return err
	}
	g.mgmt = g.planManagement()
	return nil
}

// run generates day by day, flushing what can no longer be preceded.
func (g *generator) run(dir string) (err error) {
	if g.signins, err = newStream(filepath.Join(dir, SignInsFile), g.cfg.Start, g.end); err != nil {
		return err
	}
	defer closeInto(g.signins, &err)
	if g.acts, err = newStream(filepath.Join(dir, ActivityFile), g.cfg.Start, g.end); err != nil {
		return err
	}
	defer closeInto(g.acts, &err)
	g.emitAttacks()
	g.emitManagement(g.mgmt)
	for d := range g.cfg.Days {
		for _, u := range g.users {
			g.userDay(u, d)
		}
		g.sprayDay(d)
		g.automationDay(d)
		g.cleanupDay(g.mgmt.rng, d)
		g.managementDay(g.mgmt, d)
		// Events of later local days start at least 14 hours after this
		// day's UTC end minus the largest time zone offset.
		cut := g.dayStart(d + 1).Add(-12 * time.Hour)
		if err := g.signins.flush(cut); err != nil {
			return err
		}
		if err := g.acts.flush(cut); err != nil {
			return err
		}
	}
	return nil
}

func closeInto(s *stream, err *error) {
	if cerr := s.close(); *err == nil {
		*err = cerr
	}
}

func (g *generator) dayStart(d int) time.Time { return g.cfg.Start.AddDate(0, 0, d) }

// finish writes labels and lists and sums up.
func (g *generator) finish(dir string) (Summary, error) {
	g.labelSprays()
	if err := writeLabels(filepath.Join(dir, LabelsFile), g.labels); err != nil {
		return Summary{}, err
	}
	if err := g.writeLists(dir); err != nil {
		return Summary{}, err
	}
	s := Summary{
		SignIns: g.signins.n, Activities: g.acts.n, Labels: map[string]int{},
		Files: []string{SignInsFile, ActivityFile, LabelsFile, TorExitFile, AnonymousProxyFile, VPNFile, CorporateFile, ThreatIntelFile},
	}
	for _, l := range g.labels {
		s.Labels[l.Detection]++
	}
	return s, nil
}
