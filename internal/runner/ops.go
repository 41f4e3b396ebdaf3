package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/flowsource"
	"github.com/vedette/vedette/internal/health"
	"github.com/vedette/vedette/internal/inventory"
	"github.com/vedette/vedette/internal/metrics"
	"github.com/vedette/vedette/internal/netdetect"
	"github.com/vedette/vedette/internal/pipeline"
	"github.com/vedette/vedette/internal/source/kafka"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/ti"
)

// ops is serve's operation side: it receives the state the live paths
// publish from their own goroutines, serves it as metrics and readiness,
// logs a periodic status line and applies reloads.
type ops struct {
	env     *Env
	log     *slog.Logger
	metrics *metrics.Registry
	health  *health.Health
	bound   *health.Gate
	status  atomic.Int64  // status interval in ns; 0 = off
	cfg     config.Config // in force; only the reload goroutine uses it after start

	newAlerts atomic.Uint64

	mu       sync.Mutex
	col      *flowsource.Collector
	flows    *flowView
	activity *activityView
	inv      *inventory.Inventory
	ti       *ti.Watcher
}

// flowView is what the network engine's goroutine publishes after each
// batch of flows.
type flowView struct {
	counters netdetect.Counters
	gauges   netdetect.Gauges
	rejected map[string]uint64 // flows the time trust model refused, by reason
}

// activityView is what the activity goroutine publishes after each poll.
type activityView struct {
	kafka         kafka.Stats
	pipeline      pipeline.Stats
	rejected      map[string]int // by reason
	late, held    int
	principals    int
	streams, idle int
	newest        time.Time
}

func newOps(env *Env, opts ServeOptions) *ops {
	o := &ops{env: env, log: env.log, metrics: opts.Metrics, health: opts.Health, cfg: env.cfg}
	if o.metrics == nil {
		o.metrics = metrics.New()
	}
	if o.health == nil {
		o.health = health.New()
	}
	o.status.Store(int64(env.cfg.Ops.StatusInterval))
	o.metrics.Watch(o.snapshot)
	o.health.Add("store", env.storeCheck)
	if c := env.cfg.Network.Collector; len(c.IPFIX)+len(c.NetFlow) > 0 {
		o.expectCollector()
	}
	if env.cfg.Activity.Live() {
		o.expectActivity()
	}
	env.hooks = envHooks{alerts: o.alerts, store: o.metrics.ObserveStore}
	return o
}

// startOps sets serve's operation side up: metrics, readiness, the ops
// listener (ops.listen), the status line and reloads. The returned
// function stops the listener.
func startOps(ctx context.Context, env *Env, opts ServeOptions) (*ops, func(), error) {
	o := newOps(env, opts)
	stop := func() {}
	if addr := env.cfg.Ops.Listen; addr != "" {
		var err error
		if stop, err = o.listen(addr, opts.OpsListening); err != nil {
			return nil, nil, err
		}
	}
	if eff, err := env.cfg.Effective(); err == nil {
		env.log.Info("serve configuration", "effective", eff)
	}
	go o.statusLoop(ctx)
	if opts.Reload != nil && opts.LoadConfig != nil {
		go o.reloadLoop(ctx, opts.Reload, opts.LoadConfig)
	}
	return o, stop, nil
}

// storeCheck passes while the store answers.
func (env *Env) storeCheck(ctx context.Context) error { return env.Store.Ping(ctx) }

func (o *ops) alerts(added []store.StoredAlert) {
	o.newAlerts.Add(uint64(len(added)))
	for _, a := range added {
		o.metrics.Alert(a.Detection, string(a.Severity), a.Triage.SuppressedBy != "")
	}
}

// expectCollector adds the readiness check of a flow collector that is
// about to bind its sockets.
func (o *ops) expectCollector() {
	o.bound = health.NewGate("flow collector not listening yet")
	o.health.Add("collector", o.bound.Check)
}

// bindCollector records the bound collector (its counters are read at
// scrape time) and the network path's reloadable parts.
func (o *ops) bindCollector(col *flowsource.Collector, np *netPath) {
	o.mu.Lock()
	o.col, o.inv, o.ti = col, np.inv, np.ti
	o.mu.Unlock()
	o.bound.Open()
}

func (o *ops) publishFlows(c netdetect.Counters, g netdetect.Gauges, rejected map[string]int) {
	v := &flowView{counters: c, gauges: g, rejected: make(map[string]uint64, len(rejected))}
	for k, n := range rejected {
		v.rejected[k] = uint64(n)
	}
	o.mu.Lock()
	o.flows = v
	o.mu.Unlock()
}

// expectActivity adds the readiness check of the Kafka consumer: ready
// once every assigned partition is caught up (read to the broker's high
// watermark, or silent).
func (o *ops) expectActivity() {
	o.health.Add("kafka", func(context.Context) error {
		o.mu.Lock()
		a := o.activity
		o.mu.Unlock()
		switch {
		case a == nil || a.streams == 0:
			return errors.New("no partition assigned yet")
		case a.idle < a.streams:
			return fmt.Errorf("%d of %d partitions caught up", a.idle, a.streams)
		}
		return nil
	})
}

func (o *ops) publishActivity(v activityView) {
	o.mu.Lock()
	o.activity = &v
	o.mu.Unlock()
}

// view is the activity path's state for ops; called on its goroutine.
func (a *activityPath) view() activityView {
	v := activityView{
		kafka: a.cons.Stats(), pipeline: a.p.Stats(), rejected: make(map[string]int, len(a.sum.Rejected)),
		late: a.buf.Stats().Late, held: a.buf.Len(), principals: a.env.Baselines.Principals(),
	}
	v.pipeline.Alerts = nil // by detection: vedette_alerts_total counts stored ones
	for k, n := range a.sum.Rejected {
		v.rejected[k] = n
	}
	v.streams, v.idle, v.newest = a.buf.Streams()
	return v
}

// snapshot assembles the metrics' view; called at each scrape.
func (o *ops) snapshot() metrics.Snapshot {
	o.mu.Lock()
	col, f, a := o.col, o.flows, o.activity
	o.mu.Unlock()
	var s metrics.Snapshot
	if col != nil {
		fs := &metrics.FlowStats{Decoder: col.Counters()}
		fs.KernelDrops, fs.KernelDropsErr = col.KernelDrops()
		fs.Buffers = col.Buffers()
		var rejected map[string]uint64
		if f != nil {
			fs.Engine, fs.Gauges, rejected = f.counters, f.gauges, f.rejected
		}
		s.Flows = fs
		s.Sources = append(s.Sources, metrics.SourceStats{
			Kind: "flow", Read: fs.Decoder.Flows, Late: fs.Engine.Late, Newest: fs.Gauges.Newest, Rejected: rejected,
		})
	}
	if a != nil {
		rej := make(map[string]uint64, len(a.rejected))
		for k, n := range a.rejected {
			rej[k] = uint64(n)
		}
		s.Sources = append(s.Sources, metrics.SourceStats{
			Kind: "kafka", Read: uint64(a.kafka.Events), Rejected: rej, Late: uint64(a.late), Newest: a.newest,
		})
		s.Activity = &metrics.ActivityStats{
			Pipeline: a.pipeline, Held: a.held, Principals: a.principals,
			Kafka: metrics.KafkaStats{
				Messages: a.kafka.Messages, FetchErrors: a.kafka.FetchErrors, Commits: a.kafka.Commits,
				Partitions: a.streams, CaughtUp: a.idle,
			},
		}
	}
	return s
}

// Handler serves /metrics, /healthz and /readyz: the operations listener
// of serve, and what an API server mounts.
func Handler(m *metrics.Registry, h *health.Health) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	hh := h.Handler()
	mux.Handle("GET /healthz", hh)
	mux.Handle("GET /readyz", hh)
	return mux
}

// listen starts the operations listener on addr; the returned function
// shuts it down.
func (o *ops) listen(addr string, ready func(net.Addr)) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ops.listen: %w", err)
	}
	srv := &http.Server{
		Handler:           Handler(o.metrics, o.health),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		ErrorLog:          slog.NewLogLogger(o.log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.log.Error("ops listener", "err", err)
		}
	}()
	o.log.Info("ops listening", "addr", ln.Addr().String(), "paths", "/metrics /healthz /readyz")
	if ready != nil {
		ready(ln.Addr())
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
