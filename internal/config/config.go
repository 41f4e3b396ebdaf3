// Package config loads and validates Vedette's YAML configuration. Loading
// is strict: unknown keys are errors, so a typo never silently falls back
// to a default. Validate does no I/O; opening files is the job of the
// components that use them.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/deliver"
	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/enrich/iplist"
	"github.com/vedette/vedette/internal/eventtime"
)

// Config is the whole configuration.
type Config struct {
	// DataDir holds the embedded store (baselines and alerts). Default
	// "vedette-data", relative to the working directory. Other relative
	// paths in a config file are relative to the file's directory.
	DataDir  string          `yaml:"data_dir"`
	Geo      Geo             `yaml:"geo"`
	Lists    []List          `yaml:"lists"`
	Baseline baseline.Config `yaml:"baseline"`
	// Detections are the defaults for every tenant and subscription.
	Detections Detections `yaml:"detections"`
	// Network configures flow collection and the network detections.
	Network Network `yaml:"network"`
	// Overrides change detections for some tenants or subscriptions. The
	// last matching override wins for each setting it names.
	Overrides []Override `yaml:"overrides"`
	// Activity configures the live activity sources of `vedette serve`.
	Activity Activity `yaml:"activity"`
	// Sources are the cloud-storage locations serve polls (sources.go).
	Sources Sources `yaml:"sources"`
	// Time is the time trust model: event times later than the wall clock
	// plus max_future_skew, or before floor, are rejected before they
	// reach any state (see package eventtime). Default {max_future_skew:
	// 10m, floor: 2000-01-01}.
	Time eventtime.Policy `yaml:"time"`
	// Outputs are where findings are delivered, at least once, from the
	// store's outbox (docs/OUTPUTS.md).
	Outputs []deliver.OutputConfig `yaml:"outputs"`
	// Store: SQLite in data_dir (default) or PostgreSQL.
	Store Store `yaml:"store"`
	// API configures the HTTP API.
	API API `yaml:"api"`
	// Ops configures the operations listener and the status log of serve.
	Ops Ops `yaml:"ops"`
	// Roles are what `vedette serve` runs: "ingest", "detect", "api"; none
	// named runs everything on one machine (docs/SCALEOUT.md).
	Roles []string `yaml:"roles"`
	// Cluster configures the internal topics of the scale-out roles.
	Cluster Cluster `yaml:"cluster"`
}

// Geo configures geolocation.
type Geo struct {
	// MMDB lists MaxMind-format city databases (GeoLite2-City, or DB-IP
	// City Lite's IPv4 and IPv6 files), tried in order before the built-in
	// country-level database. Empty: the built-in database only.
	MMDB []string `yaml:"mmdb"`
	// TrustRecordLocation: a record's own location (Entra's coordinates)
	// wins over IP lookup. Default true.
	TrustRecordLocation bool `yaml:"trust_record_location"`
}

// List is an IP list file.
type List struct {
	Path     string `yaml:"path"`
	Category string `yaml:"category"`
	Name     string `yaml:"name"`
	Format   string `yaml:"format"` // auto (default), plain, csv, tor-exit-addresses
}

// Detections holds each detection's switch and thresholds.
type Detections struct {
	ImpossibleTravel  Switch[detect.ImpossibleTravel]  `yaml:"impossible_travel"`
	InfrequentCountry Switch[detect.InfrequentCountry] `yaml:"infrequent_country"`
	AnonymousIP       Switch[detect.AnonymousIP]       `yaml:"anonymous_ip"`
	PasswordSpray     Switch[detect.PasswordSpray]     `yaml:"password_spray"`
	BruteForceSuccess Switch[detect.BruteForceSuccess] `yaml:"brute_force_success"`
	MaliciousIP       Switch[detect.MaliciousIP]       `yaml:"malicious_ip_activity"`
	MassDeletion      Switch[detect.MassDeletion]      `yaml:"mass_resource_deletion"`
	// Management-layer detections on Azure Resource Manager activity.
	MicroBurst            Switch[detect.MicroBurst]            `yaml:"microburst"`
	Azurite               Switch[detect.Azurite]               `yaml:"azurite"`
	InactiveAccount       Switch[detect.InactiveAccount]       `yaml:"inactive_account_persistence"`
	PowerShellPersistence Switch[detect.PowerShellPersistence] `yaml:"powershell_persistence"`
	PersistenceTechnique  Switch[detect.PersistenceTechnique]  `yaml:"persistence_technique"`
}

// Switch is a detection's settings plus whether it runs.
type Switch[T any] struct {
	Enabled  bool `yaml:"enabled"`
	Settings T    `yaml:",inline"`
}

// Override applies to events of a tenant (Entra tenant or AWS account)
// and, optionally, one Azure subscription.
type Override struct {
	Tenant       string    `yaml:"tenant"`
	Subscription string    `yaml:"subscription"`
	Detections   yaml.Node `yaml:"detections"`
}

// Default returns the default configuration.
func Default() Config {
	return Config{
		DataDir:  "vedette-data",
		Geo:      Geo{TrustRecordLocation: true},
		Baseline: baseline.DefaultConfig(),
		Detections: Detections{
			ImpossibleTravel:  Switch[detect.ImpossibleTravel]{true, detect.DefaultImpossibleTravel()},
			InfrequentCountry: Switch[detect.InfrequentCountry]{true, detect.DefaultInfrequentCountry()},
			AnonymousIP:       Switch[detect.AnonymousIP]{true, detect.DefaultAnonymousIP()},
			PasswordSpray:     Switch[detect.PasswordSpray]{true, detect.DefaultPasswordSpray()},
			BruteForceSuccess: Switch[detect.BruteForceSuccess]{true, detect.DefaultBruteForceSuccess()},
			MaliciousIP:       Switch[detect.MaliciousIP]{true, detect.DefaultMaliciousIP()},
			MassDeletion:      Switch[detect.MassDeletion]{true, detect.DefaultMassDeletion()},

			MicroBurst:            Switch[detect.MicroBurst]{true, detect.DefaultMicroBurst()},
			Azurite:               Switch[detect.Azurite]{true, detect.DefaultAzurite()},
			InactiveAccount:       Switch[detect.InactiveAccount]{true, detect.DefaultInactiveAccount()},
			PowerShellPersistence: Switch[detect.PowerShellPersistence]{true, detect.DefaultPowerShellPersistence()},
			PersistenceTechnique:  Switch[detect.PersistenceTechnique]{true, detect.DefaultPersistenceTechnique()},
		},
		Network:  DefaultNetwork(),
		Activity: DefaultActivity(),
		Time:     eventtime.DefaultPolicy(),
		Store:    DefaultStore(),
		API:      DefaultAPI(),
		Ops:      DefaultOps(),
		Cluster:  DefaultCluster(),
	}
}

// Load reads the YAML file at path over the defaults.
func Load(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	cfg, err := Parse(f)
	if err != nil {
		return Config{}, fmt.Errorf("config: %s: %w", path, err)
	}
	cfg.resolvePaths(filepath.Dir(path))
	return cfg, nil
}

// resolvePaths makes the file paths a config file names (lists, GeoIP
// database) relative to the file's directory, so a config works from any
// working directory. data_dir stays relative to the working directory.
func (c *Config) resolvePaths(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	for i := range c.Geo.MMDB {
		c.Geo.MMDB[i] = abs(c.Geo.MMDB[i])
	}
	for i := range c.Lists {
		c.Lists[i].Path = abs(c.Lists[i].Path)
	}
	c.Network.resolvePaths(abs)
	c.Activity.Kafka.TLS.CAFile = abs(c.Activity.Kafka.TLS.CAFile)
	c.resolveOutputPaths(abs)
	c.API.TLS.Cert, c.API.TLS.Key = abs(c.API.TLS.Cert), abs(c.API.TLS.Key)
}

// Parse reads YAML from r over the defaults and validates it.
func Parse(r io.Reader) (Config, error) {
	cfg := Default()
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("line %d: a second YAML document (after ---) would be ignored; merge it into the first", extra.Line)
	}
	for i, o := range cfg.Outputs {
		cfg.Outputs[i] = o.WithDefaults()
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Validate checks the configuration without I/O.
func (c *Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data_dir: must not be empty"))
	}
	errs = append(errs, checkRanges("", reflect.ValueOf(*c))...)
	if w := c.Baseline.Window; w < 24*time.Hour || w > maxWindow {
		errs = append(errs, fmt.Errorf("baseline.window: %s is outside [24h, %s]", FormatDuration(w), FormatDuration(maxWindow)))
	}
	if b := c.Baseline.EgressV4Bits; b < 8 || b > 32 {
		errs = append(errs, fmt.Errorf("baseline.egress_prefix_v4: %d is outside 8..32", b))
	}
	if b := c.Baseline.EgressV6Bits; b < 16 || b > 63 {
		errs = append(errs, fmt.Errorf("baseline.egress_prefix_v6: %d is outside 16..63", b))
	}
	for i, l := range c.Lists {
		errs = append(errs, validateList(i, l)...)
	}
	errs = append(errs, c.Detections.validate("detections")...)
	errs = append(errs, c.validateNetwork()...)
	errs = append(errs, c.Activity.validate()...)
	errs = append(errs, c.Sources.validate()...)
	if err := c.Time.Validate(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.validateOutputs()...)
	errs = append(errs, c.Store.validate()...)
	errs = append(errs, c.API.validate()...)
	errs = append(errs, c.Ops.validate()...)
	errs = append(errs, c.validateCluster()...)
	for i, o := range c.Overrides {
		where := fmt.Sprintf("overrides[%d]", i)
		if o.Tenant == "" && o.Subscription == "" {
			errs = append(errs, fmt.Errorf("%s: needs a tenant or a subscription", where))
		}
		d, err := c.Detections.apply(&o.Detections)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.detections: %w", where, err))
			continue
		}
		errs = append(errs, checkRanges(where+".detections", reflect.ValueOf(d))...)
		errs = append(errs, d.validate(where+".detections")...)
	}
	return errors.Join(errs...)
}

// maxWindow bounds baseline.window: the baselines keep a year of days.
const maxWindow = 366 * 24 * time.Hour

func validateList(i int, l List) []error {
	var errs []error
	where := fmt.Sprintf("lists[%d]", i)
	if l.Path == "" {
		errs = append(errs, fmt.Errorf("%s.path: must not be empty", where))
	}
	// The loader's own test, so check accepts exactly what a run loads.
	if !iplist.Category(l.Category).Valid() {
		errs = append(errs, fmt.Errorf("%s.category: %q is not one of %v", where, l.Category, iplist.Categories))
	}
	switch l.Format {
	case "", "auto", "plain", "csv", "tor-exit-addresses":
	default:
		errs = append(errs, fmt.Errorf("%s.format: %q is not one of auto, plain, csv, tor-exit-addresses", where, l.Format))
	}
	return errs
}

func (d Detections) validate(where string) []error {
	var errs []error
	it := d.ImpossibleTravel.Settings
	if it.MaxSpeedKmh <= 0 {
		errs = append(errs, fmt.Errorf("%s.impossible_travel.max_speed_kmh: must be positive", where))
	}
	if it.MinDistanceKm < 0 {
		errs = append(errs, fmt.Errorf("%s.impossible_travel.min_distance_km: must not be negative", where))
	}
	errs = append(errs, distinct(where+".impossible_travel.shared_ip_principals", it.SharedIPPrincipals)...)
	errs = append(errs, distinct(where+".impossible_travel.common_place_principals", it.CommonPlacePrincipals)...)
	errs = append(errs, distinct(where+".impossible_travel.shared_network_principals", it.SharedNetworkPrincipals)...)
	errs = append(errs, distinct(where+".impossible_travel.org_hop_principals", it.OrgHopPrincipals)...)
	errs = append(errs, distinct(where+".impossible_travel.org_anonymiser_principals", it.OrgAnonymiserPrincipals)...)
	if it.HabitualHops < 1 {
		errs = append(errs, fmt.Errorf("%s.impossible_travel.habitual_hops: %d, want at least 1", where, it.HabitualHops))
	}
	for _, name := range it.SuppressionsOff {
		if !slices.Contains(detect.TravelSuppressions, name) {
			errs = append(errs, fmt.Errorf("%s.impossible_travel.suppressions_off: %q is not one of %v", where, name, detect.TravelSuppressions))
		}
	}
	errs = append(errs, d.validateIdentity(where)...)
	errs = append(errs, distinct(where+".anonymous_ip.org_common_principals", d.AnonymousIP.Settings.OrgCommonPrincipals)...)
	for name, v := range map[string]time.Duration{
		"impossible_travel.learning":  it.Learning,
		"infrequent_country.learning": d.InfrequentCountry.Settings.Learning,
		"anonymous_ip.repeat":         d.AnonymousIP.Settings.Repeat,
		"anonymous_ip.learning":       d.AnonymousIP.Settings.Learning,
	} {
		if v < 0 {
			errs = append(errs, fmt.Errorf("%s.%s: must not be negative", where, name))
		}
	}
	return append(errs, d.validateManagement(where)...)
}

// validateManagement checks the management-layer detections against what
// the baseline's sessions can answer.
func (d Detections) validateManagement(where string) []error {
	var errs []error
	mb, az := d.MicroBurst.Settings, d.Azurite.Settings
	if mb.MinKinds < 2 {
		errs = append(errs, fmt.Errorf("%s.microburst.min_kinds: %d, want at least 2", where, mb.MinKinds))
	}
	for name, w := range map[string]time.Duration{"microburst.window": mb.Window, "persistence_technique.window": d.PersistenceTechnique.Settings.Window} {
		if w <= 0 || w > baseline.SessionIdle {
			errs = append(errs, fmt.Errorf("%s.%s: %s is outside (0, %s] (a session ends after %s idle)", where, name, w, baseline.SessionIdle, baseline.SessionIdle))
		}
	}
	if az.MinApps < 2 {
		errs = append(errs, fmt.Errorf("%s.azurite.min_apps: %d, want at least 2", where, az.MinApps))
	}
	if az.PerApp < 2 {
		errs = append(errs, fmt.Errorf("%s.azurite.per_app: %d, want at least 2", where, az.PerApp))
	}
	for name, v := range map[string]time.Duration{
		"inactive_account_persistence.inactive": d.InactiveAccount.Settings.Inactive,
		"powershell_persistence.lookback":       d.PowerShellPersistence.Settings.Lookback,
	} {
		if v < baseline.MinDormancy {
			errs = append(errs, fmt.Errorf("%s.%s: %s is shorter than %s, the shortest silence the baseline marks", where, name, v, baseline.MinDormancy))
		}
	}
	if d.PowerShellPersistence.Settings.Learning < 0 {
		errs = append(errs, fmt.Errorf("%s.powershell_persistence.learning: must not be negative", where))
	}
	return errs
}

func distinct(where string, n int) []error {
	if n < 1 || n > baseline.MaxDistinct {
		return []error{fmt.Errorf("%s: %d is outside 1..%d (distinct principals are counted exactly up to %d)", where, n, baseline.MaxDistinct, baseline.MaxDistinct)}
	}
	return nil
}

// apply decodes an override's detections node over a copy of d: settings
// the node does not name keep d's values.
func (d Detections) apply(node *yaml.Node) (Detections, error) {
	if node.Kind == 0 {
		return d, nil
	}
	out := d
	var buf bytes.Buffer
	if err := yaml.NewEncoder(&buf).Encode(node); err != nil {
		return d, err
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(&out); err != nil {
		return d, err
	}
	return out, nil
}
