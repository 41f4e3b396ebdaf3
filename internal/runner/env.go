package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vedette/vedette/internal/api"
	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/enrich/asn"
	"github.com/vedette/vedette/internal/enrich/geoip"
	"github.com/vedette/vedette/internal/enrich/iplist"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/pipeline"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/ti"
)

// Env is an assembled Vedette: its store, baselines and enrichment.
type Env struct {
	cfg       config.Config
	log       *slog.Logger
	Store     *store.Store
	Baselines *baseline.Baselines
	Locator   geoip.Locator
	builtin   *geoip.Builtin
	mmdbs     []*geoip.MMDB
	Lists     *iplist.Watcher
	// wake tells the delivery loop that new alerts were stored (serve);
	// set before the sources start, cleared after they stop.
	wake func()
	// scopes resolves the activity detections per tenant and subscription:
	// the file's settings plus the overrides stored through the API, which
	// it reloads on every change (see watchSettings).
	scopes *config.Scopes
	// clock is the wall clock of the time trust model: time.Now, or a
	// test's (ServeOptions.Clock).
	clock func() time.Time
	// netScopes resolves the network detections per subscription, the same
	// way: network.overrides plus the stored overrides of network detections.
	netScopes *config.NetworkScopes
	// TI are the threat-intelligence feeds (network.ti), nil without
	// any: flows and activity are both matched against them.
	TI       *ti.Watcher
	networks *asn.Table
	// stateMu guards the live state (baselines, network engine) between
	// its one writer and the API's summaries; net is serve's network path.
	stateMu sync.Mutex
	net     *netPath
	// apiSrv is serve's API once it listens (a reload swaps its tokens).
	apiSrv atomic.Pointer[api.Server]
	hooks  envHooks
	// enrichers enrich events in detect's decode workers, one per worker.
	enrichers enrichers
}

// envHooks are what serve's operation side observes; nil funcs are off.
type envHooks struct {
	alerts func([]store.StoredAlert)        // new alerts, once stored
	store  func(op string, d time.Duration) // store operation latency
}

// observeStore reports the latency of a store operation begun at start.
func (env *Env) observeStore(op string, start time.Time) {
	if env.hooks.store != nil {
		env.hooks.store(op, time.Since(start))
	}
}

// newGate returns a time-trust gate for one goroutine.
func (env *Env) newGate() *gate { return newGate(env.cfg.Time, env.clock) }

// Open assembles Vedette from cfg: opens the store, restores the
// baselines, opens the geolocation databases and loads the IP lists.
func Open(cfg config.Config, log *slog.Logger) (*Env, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	env := &Env{cfg: cfg, log: log, builtin: geoip.NewBuiltin(), scopes: cfg.Scopes(), netScopes: cfg.Network.RuntimeScopes(), clock: time.Now}
	var err error
	if env.Store, err = OpenStore(cfg, log); err != nil {
		return nil, err
	}
	env.Store.OnSettingsChange(env.loadSettings)
	env.loadSettings()
	if err := env.loadBaselines(); err != nil {
		env.Close()
		return nil, err
	}
	var chain geoip.Chain
	for _, path := range cfg.Geo.MMDB {
		db, err := geoip.OpenMMDB(path)
		if err != nil {
			env.Close()
			return nil, err
		}
		env.mmdbs = append(env.mmdbs, db)
		chain = append(chain, db)
	}
	env.Locator = append(chain, env.builtin)
	if env.Lists, err = iplist.NewWatcher(listConfigs(cfg.Lists), log); err != nil {
		env.Close()
		return nil, err
	}
	if feeds := cfg.Network.TI.Feeds(); len(feeds) > 0 {
		if env.TI, err = ti.NewWatcher(feeds, cfg.Network.TI.ReloadInterval, log); err != nil {
			env.Close()
			return nil, err
		}
	}
	if env.networks, err = asn.Builtin(); err != nil {
		env.Close()
		return nil, err
	}
	return env, nil
}

func listConfigs(ls []config.List) []iplist.ListConfig {
	lists := make([]iplist.ListConfig, len(ls))
	for i, l := range ls {
		lists[i] = listConfig(l)
	}
	return lists
}

// loadBaselines restores the baselines: one state row per tenant (a
// single blob imported from a bbolt data directory also reads).
// OpenStore opens the store cfg names: SQLite in the data directory, or
// PostgreSQL with store.postgres.dsn_env.
func OpenStore(cfg config.Config, log *slog.Logger) (*store.Store, error) {
	dsn, err := cfg.Store.PostgresDSN()
	if err != nil {
		return nil, err
	}
	opts := store.Options{PostgresDSN: dsn, IncidentWindow: cfg.Store.IncidentWindow, Logger: log}
	return store.OpenWith(context.Background(), cfg.DataDir, opts)
}

func (env *Env) loadBaselines() error {
	env.Baselines = newBaselines(env.cfg)
	parts, err := env.Store.LoadStateParts(context.Background(), stateName)
	if errors.Is(err, store.ErrNoState) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := env.Baselines.UnmarshalTenants(parts); err != nil {
		return err
	}
	p := env.cfg.Time
	if n := env.Baselines.Repair(p.Floor, p.Limit(env.clock())); n > 0 {
		env.log.Warn("repaired activity baselines: forgot times outside the trusted range",
			"entries", n, "floor", p.Floor, "limit", p.Limit(env.clock()))
	}
	return nil
}

// SaveBaselines writes the baselines to the store, a row per tenant.
func (env *Env) SaveBaselines() error {
	env.stateMu.Lock()
	parts, err := env.Baselines.MarshalTenants()
	env.stateMu.Unlock()
	if err != nil {
		return err
	}
	defer env.observeStore("save_baselines", time.Now())
	return env.Store.SaveStateParts(context.Background(), stateName, parts)
}

// Scopes resolves the activity detections per scope, with the settings
// overrides stored through the API; its Effective lists them by source.
func (env *Env) Scopes() *config.Scopes { return env.scopes }

// Config is the configuration env was opened with.
func (env *Env) Config() config.Config { return env.cfg }

// Pipeline returns the activity pipeline over env.
func (env *Env) Pipeline() *pipeline.Pipeline {
	return pipeline.New(env.pipelineOptions(), env.Baselines, env.pipelineDeps())
}

func (env *Env) pipelineOptions() pipeline.Options {
	return pipeline.Options{TrustRecordLocation: env.cfg.Geo.TrustRecordLocation}
}

func (env *Env) pipelineDeps() pipeline.Deps {
	d := pipeline.Deps{Locator: env.Locator, Networks: ASNetworks{env.networks}, Scoper: env.scopes}
	if env.builtin != nil {
		d.Countries = env.builtin
	}
	if env.Lists != nil {
		d.Lists = listTags{env.Lists}
	}
	if env.TI != nil {
		d.Intel = tiIntel{env.TI}
	}
	return d
}

// ASNetworks adapts an AS table to the pipeline.
type ASNetworks struct{ T *asn.Table }

// Network implements pipeline.Networks.
func (a ASNetworks) Network(ip netip.Addr) (event.Network, bool) {
	info, ok := a.T.Lookup(ip)
	if !ok {
		return event.Network{}, false
	}
	return event.Network{ASN: info.ASN, Org: info.Org, Class: string(info.Class)}, true
}

// tiIntel adapts the TI feeds to the pipeline: a match is a malicious tag
// named after the feed, labelled with the indicator's name.
type tiIntel struct{ w *ti.Watcher }

func (t tiIntel) Match(ip netip.Addr, at time.Time) (detect.IPTag, bool) {
	e, ok := t.w.Lookup(ip, at)
	if !ok {
		return detect.IPTag{}, false
	}
	return detect.IPTag{Category: detect.CategoryMalicious, List: e.Feed, Label: e.Name}, true
}

// Covers implements pipeline.Coverer.
func (t tiIntel) Covers(ip netip.Addr) bool { return t.w.Covers(ip) }

// Version implements pipeline.Versioned: TI reloads.
func (t tiIntel) Version() uint64 { return t.w.Version() }

// Close releases what Open acquired.
func (env *Env) Close() error {
	var errs []error
	for _, db := range env.mmdbs {
		errs = append(errs, db.Close())
	}
	if env.Store != nil {
		errs = append(errs, env.Store.Close())
	}
	return errors.Join(errs...)
}

// listTags adapts the IP list watcher to the pipeline.
type listTags struct{ w *iplist.Watcher }

// Version implements pipeline.Versioned: the lists reload.
func (l listTags) Version() uint64 { return l.w.Version() }

func (l listTags) Tags(ip netip.Addr) []detect.IPTag {
	entries := l.w.Current().Lookup(ip)
	if len(entries) == 0 {
		return nil
	}
	tags := make([]detect.IPTag, len(entries))
	for i, e := range entries {
		tags[i] = detect.IPTag{Category: string(e.Category), List: e.List, Label: e.Label}
	}
	return tags
}

// deadLetter appends rejected records' descriptions to rejected.jsonl in
// the data directory: set aside, not lost, and not logged per record.
type deadLetter struct {
	f   *os.File
	enc *json.Encoder
}

func openDeadLetter(dir string) (*deadLetter, error) {
	f, err := os.OpenFile(filepath.Join(dir, "rejected.jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("dead letter: %w", err)
	}
	return &deadLetter{f: f, enc: json.NewEncoder(f)}, nil
}

func (d *deadLetter) add(r normalize.Rejection) { _ = d.enc.Encode(r) }

func (d *deadLetter) close() { d.f.Close() }
