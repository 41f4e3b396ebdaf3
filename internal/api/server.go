// Package api is Vedette's HTTP API under /api/v1: alerts and their
// triage, incidents, suppression rules, run-time detection settings, and
// what the baselines know of principals and hosts. JSON in and out,
// bearer tokens with roles (viewer < analyst < admin), described by the
// OpenAPI document served at /api/v1/openapi.json. The server also mounts
// the console, /metrics, /healthz and /readyz when given them.
package api

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/vedette/vedette/internal/config"
)

// Options assemble a Server.
type Options struct {
	// Config is the configuration: API (listen, tokens, TLS, body
	// limit) and the detections whose settings the API layers over.
	Config config.Config
	Store  Store
	// Entities answers /principals and /hosts; nil answers them 404.
	Entities Entities
	// Console is mounted at "/", Metrics at /metrics, Healthz and Readyz
	// at /healthz and /readyz; nil ones are not mounted.
	Console, Metrics, Healthz, Readyz http.Handler
	Log                               *slog.Logger
	// Now is the clock of audit entries and rule creation; default time.Now.
	Now func() time.Time
}

// Server is the HTTP API.
type Server struct {
	cfg      config.Config
	store    Store
	entities Entities
	tokens   atomic.Pointer[tokens] // swapped by SetTokens
	public   atomic.Bool            // bound to a non-loopback address
	log      *slog.Logger
	now      func() time.Time
	handler  http.Handler
	compress middleware // the API's answers compressed (nil in tests that build a Server by hand)
}

// New checks the options and builds the server's routes.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("api: no store")
	}
	ts, err := newTokens(opts.Config.API.Tokens)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: opts.Config, store: opts.Store, entities: opts.Entities, log: opts.Log, now: opts.Now,
	}
	s.tokens.Store(&ts)
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.compress, err = compressResponses(); err != nil {
		return nil, err
	}
	mux := s.mux(opts)
	maxBody := opts.Config.API.MaxBody
	if maxBody <= 0 {
		maxBody = config.DefaultAPI().MaxBody
	}
	s.handler = chain(mux, logRequests(s.log), sameOrigin(), limitBody(maxBody))
	return s, nil
}

// mux routes the API operations, each behind authentication and its
// role, and mounts the other handlers.
func (s *Server) mux(opts Options) *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		var h http.Handler = rt.handle
		if rt.role > 0 {
			h = authenticate(s.keys)(require(rt.role, rt.handle))
		}
		if s.compress != nil {
			h = s.compress(h)
		}
		mux.Handle(rt.method+" "+rt.path, h)
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API path")
	})
	mount(mux, "/", opts.Console)
	mount(mux, "GET /metrics", opts.Metrics)
	mount(mux, "GET /healthz", opts.Healthz)
	mount(mux, "GET /readyz", opts.Readyz)
	return mux
}

func mount(mux *http.ServeMux, pattern string, h http.Handler) {
	if h != nil {
		mux.Handle(pattern, h)
	}
}

// Handler serves the API and the mounted handlers.
func (s *Server) Handler() http.Handler { return s.handler }

// keys returns the tokens in force (none for a Server built by hand).
func (s *Server) keys() tokens {
	if ts := s.tokens.Load(); ts != nil {
		return *ts
	}
	return nil
}

// SetTokens puts a new set of tokens in force (a configuration reload):
// the next request is checked against them. Removing every token is
// refused while the API listens on a non-loopback address.
func (s *Server) SetTokens(cfg []config.Token) error {
	ts, err := newTokens(cfg)
	if err != nil {
		return err
	}
	if len(ts) == 0 && s.public.Load() {
		return ErrPublicWithoutTokens
	}
	s.tokens.Store(&ts)
	return nil
}

// ErrPublicWithoutTokens refuses to serve a non-loopback address without tokens.
var ErrPublicWithoutTokens = errors.New("api: refusing a non-loopback address without api.tokens")

// Listen binds the configured address. Without tokens it refuses any
// address that is not loopback, as bound (":8080" binds every interface).
// With api.tls set, connections are TLS (1.2 or later).
func (s *Server) Listen() (net.Listener, error) {
	a := s.cfg.API
	open := len(s.keys()) == 0
	if open && !config.LoopbackAddr(a.Listen) {
		return nil, fmt.Errorf("%w: %s", ErrPublicWithoutTokens, a.Listen)
	}
	var tlsCfg *tls.Config
	if a.TLS.Cert != "" {
		cert, err := tls.LoadX509KeyPair(a.TLS.Cert, a.TLS.Key)
		if err != nil {
			return nil, fmt.Errorf("api: tls: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", a.Listen)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	s.public.Store(!ok || !tcp.IP.IsLoopback())
	if open && s.public.Load() {
		ln.Close()
		return nil, fmt.Errorf("%w: %s", ErrPublicWithoutTokens, ln.Addr())
	}
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
	}
	return ln, nil
}

// Serve answers requests on ln until ctx ends, then shuts down: requests
// in flight get up to 5 s to finish, then their contexts are cancelled
// (an export stops) and the connections closed.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("api: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(base, 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("api: requests still running at shutdown were cut")
		cancelBase()
		err = srv.Close()
	}
	<-done
	return err
}
