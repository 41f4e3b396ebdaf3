package runner

import (
	"context"
	"errors"
	"github.com/vedette/vedette/internal/health"
	"github.com/vedette/vedette/internal/metrics"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/vedette/vedette/internal/api"
	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/netdetect"
)

// APIOptions are what the HTTP API mounts beside /api/v1, and a hook for
// its bound address.
type APIOptions struct {
	Console, Metrics, Healthz, Readyz http.Handler
	// Ready, if set, is called with the API's bound address once it listens.
	Ready func(net.Addr)
}

// savedReload is how stale `vedette api`'s copy of the saved baselines may
// get: another process (`detect`, `serve`) may be writing them.
const savedReload = time.Minute

// API serves the HTTP API over an existing data directory (written by
// `detect` or `serve`) without collecting anything, until ctx ends. The
// principal and host summaries come from the saved state, reloaded when
// older than a minute.
func API(ctx context.Context, cfg config.Config, log *slog.Logger, opts APIOptions) error {
	if cfg.API.Listen == "" {
		return errors.New("api.listen: not set (e.g. 127.0.0.1:8080)")
	}
	env, err := Open(cfg, log)
	if err != nil {
		return err
	}
	defer env.Close()
	if opts.Metrics == nil {
		// Nothing is collected here: the registry has the process and
		// store-side metrics only; readiness is the store answering.
		reg := metrics.New()
		env.hooks.store = reg.ObserveStore
		h := health.New()
		h.Add("store", env.storeCheck)
		opts.Metrics, opts.Healthz, opts.Readyz = reg.Handler(), health.Live(), h.Ready()
	}
	srv, ln, err := env.listenAPI(&savedEntities{env: env}, opts)
	if err != nil {
		return err
	}
	return srv.Serve(ctx, ln)
}

// startAPI starts serve's API over the live state when api.listen is set;
// the channel is closed once it has shut down after ctx ends.
func (env *Env) startAPI(ctx context.Context, opts APIOptions) (<-chan struct{}, error) {
	done := make(chan struct{})
	if env.cfg.API.Listen == "" {
		close(done)
		return done, nil
	}
	srv, ln, err := env.listenAPI(liveEntities{env}, opts)
	if err != nil {
		return nil, err
	}
	go func() {
		defer close(done)
		if err := srv.Serve(ctx, ln); err != nil {
			env.log.Error("api stopped", "err", err)
		}
	}()
	return done, nil
}

// listenAPI builds the API over env's store and binds its address: a
// refused address (public without tokens) fails here, before anything runs.
func (env *Env) listenAPI(ents api.Entities, opts APIOptions) (*api.Server, net.Listener, error) {
	srv, err := api.New(api.Options{
		Config: env.cfg, Store: env.Store, Entities: ents, Log: env.log,
		Console: opts.Console, Metrics: opts.Metrics, Healthz: opts.Healthz, Readyz: opts.Readyz,
	})
	if err != nil {
		return nil, nil, err
	}
	ln, err := srv.Listen()
	if err != nil {
		return nil, nil, err
	}
	env.apiSrv.Store(srv)
	env.log.Info("api listening", "addr", ln.Addr().String(), "tls", env.cfg.API.TLS.Cert != "", "tokens", len(env.cfg.API.Tokens))
	if opts.Ready != nil {
		opts.Ready(ln.Addr())
	}
	return srv, ln, nil
}

// reloadAPITokens puts a reloaded configuration's API tokens in force:
// a revoked token is refused from the next request.
func (env *Env) reloadAPITokens(ts []config.Token) error {
	if srv := env.apiSrv.Load(); srv != nil {
		return srv.SetTokens(ts)
	}
	return nil
}

// country names the country of ip from the geolocation databases.
func (env *Env) country(ip netip.Addr) string {
	if loc, ok := env.Locator.Locate(ip); ok {
		return loc.Country
	}
	return ""
}

// liveEntities reads serve's live state, under the lock its writers take.
type liveEntities struct{ env *Env }

var (
	_ api.TenantCountries = liveEntities{}
	_ api.TenantCountries = (*savedEntities)(nil)
	_ api.TenantEgress    = liveEntities{}
	_ api.TenantEgress    = (*savedEntities)(nil)
)

func (l liveEntities) Principal(tenant, name string) (baseline.PrincipalSummary, bool) {
	l.env.stateMu.Lock()
	defer l.env.stateMu.Unlock()
	return l.env.Baselines.Summary(tenant, name, l.env.country)
}

func (l liveEntities) Countries(tenant string) ([]baseline.TenantCountry, bool) {
	l.env.stateMu.Lock()
	defer l.env.stateMu.Unlock()
	return l.env.Baselines.Countries(tenant)
}

func (l liveEntities) SharedEgress(tenant string, min int) ([]baseline.Egress, bool) {
	l.env.stateMu.Lock()
	defer l.env.stateMu.Unlock()
	return l.env.Baselines.SharedEgress(tenant, min)
}

func (l liveEntities) Host(name string) (netdetect.HostSummary, bool) {
	l.env.stateMu.Lock()
	defer l.env.stateMu.Unlock()
	if l.env.net == nil {
		return netdetect.HostSummary{}, false
	}
	return l.env.net.eng.HostSummary(name)
}

// savedEntities reads the state saved in the store, reloading it when
// older than savedReload.
type savedEntities struct {
	env    *Env
	mu     sync.Mutex
	loaded time.Time
	eng    *netdetect.Engine
}

func (s *savedEntities) reload() {
	if time.Since(s.loaded) < savedReload {
		return
	}
	if err := s.env.loadBaselines(); err != nil {
		s.env.log.Warn("api: reload baselines", "err", err)
	}
	if np, err := s.env.openNetwork(); err != nil {
		s.env.log.Warn("api: reload network state", "err", err)
	} else {
		s.eng = np.eng
	}
	s.loaded = time.Now()
}

func (s *savedEntities) Principal(tenant, name string) (baseline.PrincipalSummary, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reload()
	return s.env.Baselines.Summary(tenant, name, s.env.country)
}

func (s *savedEntities) Countries(tenant string) ([]baseline.TenantCountry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reload()
	return s.env.Baselines.Countries(tenant)
}

func (s *savedEntities) SharedEgress(tenant string, min int) ([]baseline.Egress, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reload()
	return s.env.Baselines.SharedEgress(tenant, min)
}

func (s *savedEntities) Host(name string) (netdetect.HostSummary, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reload()
	if s.eng == nil {
		return netdetect.HostSummary{}, false
	}
	return s.eng.HostSummary(name)
}
