// Package health serves /healthz (the process is alive and answering) and
// /readyz (every named readiness check passes: the store is open, the
// collectors are bound, Kafka is caught up). Checks are functions added by
// the parts that know their own state; /readyz runs them all, in parallel,
// each bounded by a timeout, and answers 200 when all pass and 503 with
// the failing ones otherwise.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTimeout bounds each readiness check.
const DefaultTimeout = 2 * time.Second

// Check reports nil when its part is ready, or why it is not.
type Check func(ctx context.Context) error

// Health holds the named readiness checks. Safe for concurrent use.
type Health struct {
	mu      sync.Mutex
	checks  map[string]Check
	timeout time.Duration
}

// New returns a Health with no checks (always ready).
func New() *Health { return &Health{checks: map[string]Check{}, timeout: DefaultTimeout} }

// Add sets the check of name, replacing an earlier one of that name.
func (h *Health) Add(name string, c Check) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks[name] = c
}

// Remove drops the check of name.
func (h *Health) Remove(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.checks, name)
}

// Run runs every check and returns each one's result by name.
func (h *Health) Run(ctx context.Context) map[string]error {
	h.mu.Lock()
	checks := make(map[string]Check, len(h.checks))
	for n, c := range h.checks {
		checks[n] = c
	}
	timeout := h.timeout
	h.mu.Unlock()
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		res = make(map[string]error, len(checks))
	)
	for name, c := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			err := runCheck(cctx, c)
			mu.Lock()
			res[name] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	return res
}

// runCheck runs c, giving up when ctx ends even if c does not.
func runCheck(ctx context.Context, c Check) error {
	done := make(chan error, 1)
	go func() { done <- c(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Report is the JSON body of /readyz.
type Report struct {
	Status string            `json:"status"` // "ready" or "not ready"
	Checks map[string]string `json:"checks"` // name -> "ok" or the reason
	Failed []string          `json:"failed,omitempty"`
}

// Ready serves /readyz.
func (h *Health) Ready() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := Report{Status: "ready", Checks: map[string]string{}}
		for name, err := range h.Run(r.Context()) {
			if err == nil {
				rep.Checks[name] = "ok"
				continue
			}
			rep.Checks[name] = err.Error()
			rep.Failed = append(rep.Failed, name)
		}
		code := http.StatusOK
		if len(rep.Failed) > 0 {
			sort.Strings(rep.Failed)
			rep.Status, code = "not ready", http.StatusServiceUnavailable
		}
		writeJSON(w, code, rep)
	})
}

// Handler serves GET /healthz (Live) and GET /readyz (Ready), for a
// server that mounts both under one handler.
func (h *Health) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", Live())
	mux.Handle("GET /readyz", h.Ready())
	return mux
}

// Live serves /healthz: the process is up and its HTTP server answers.
func Live() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Gate is a check that fails with its reason until it is opened, for
// one-way conditions such as "the collector's sockets are bound".
type Gate struct {
	open   atomic.Bool
	reason string
}

// NewGate returns a closed gate failing with reason.
func NewGate(reason string) *Gate { return &Gate{reason: reason} }

// Open makes the check pass from now on.
func (g *Gate) Open() { g.open.Store(true) }

// Check is the gate's Check.
func (g *Gate) Check(context.Context) error {
	if g.open.Load() {
		return nil
	}
	return errors.New(g.reason)
}
