package runner

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/deliver"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowsource"
	"github.com/vedette/vedette/internal/health"
	"github.com/vedette/vedette/internal/metrics"
	"github.com/vedette/vedette/internal/netdetect"
	"github.com/vedette/vedette/internal/normalize"
)

// listReloadInterval is how often serve checks the IP list files for
// changes.
const listReloadInterval = time.Minute

// tickInterval is how often serve gives the network engine the wall clock,
// which closes hours their exporters left open (network.detections.hour_idle).
const tickInterval = 10 * time.Second

// rejectsPerMinute bounds the rejections per reason serve writes to
// rejected.jsonl per minute; all are counted.
const rejectsPerMinute = 100

// ServeOptions for a live run.
type ServeOptions struct {
	// Out receives the findings as Vedette JSON lines, besides the
	// configured outputs, delivered from the store's outbox as they are
	// stored; OutPath, when set, replaces it with a file.
	Out     io.Writer
	OutPath string
	Log     *slog.Logger
	// Ready, if set, is called with the collector's bound UDP addresses
	// once it listens (none when only activity is configured).
	Ready func([]netip.AddrPort)
	// FlushOnStop closes every open hour at shutdown, as at the end of a
	// batch of files, so a bounded capture raises its alerts. Flows of
	// those hours that arrive after a restart then count as late. Off, the
	// open hours are saved and a restart resumes them. The same holds for
	// the activity events the reorder buffer holds: flushed and committed,
	// or left uncommitted for the restart to redeliver.
	FlushOnStop bool
	// Progress, if set, is called from the engine's goroutine after each
	// batch of records with the running totals (metrics, tests).
	Progress func(netdetect.Counters)
	// ActivityProgress, if set, is called from the activity goroutine
	// after each batch of Kafka messages with its running totals.
	ActivityProgress func(ActivityCounters)
	// CloudProgress, if set, is called from the cloud-polling goroutine
	// after each blob read (and each caught-up poll) with its totals.
	CloudProgress func(CloudCounters)
	// killed (tests) stops cloud polling as a kill would: no flush and no
	// final checkpoint, only what the last periodic one saved.
	killed bool
	// killIngest (tests) is asked after each flow-log batch the ingest
	// role produced: true stops it before it commits the source offsets.
	killIngest func(produced int) bool
	// Clock is the wall clock of the time trust model and of the hours'
	// idle limit; time.Now when nil (tests replay a past period with a
	// clock of that period).
	Clock func() time.Time
	// API mounts handlers beside the HTTP API (when api.listen is set).
	API APIOptions

	// Metrics and Health receive serve's metrics and readiness checks, for
	// a server that mounts them (Handler); serve makes its own when nil.
	// With ops.listen set, serve also serves them itself.
	Metrics *metrics.Registry
	Health  *health.Health
	// OpsListening, if set, is called with the address of the ops
	// listener once it listens.
	OpsListening func(net.Addr)
	// Reload delivers reload requests (SIGHUP): LoadConfig reads the
	// configuration again, and the IP lists, the inventory file, the TI
	// feeds and the status interval are reloaded (ops_loop.go).
	Reload     <-chan struct{}
	LoadConfig func() (config.Config, error)
}

// Serve runs the live sources the configuration names until ctx ends: the
// IPFIX/NetFlow collector on its UDP addresses (network detections), and
// the activity consumer (activity.kafka: Kafka or Event Hubs) through the
// same activity pipeline as `vedette detect`. New alerts are stored and
// delivered to the outputs from the store's outbox (per-output metrics in
// the ops registry); at shutdown what is left is delivered for up to 10 s,
// and a restart resumes the rest. The network state is saved every
// network.snapshot_interval, the baselines (then the Kafka offsets) every
// activity.commit_interval, and both when ctx ends; a restart continues
// where the last run stopped. With activity configured and an empty
// collector (ipfix: [], netflow: []), no UDP port is opened. It returns
// nil once ctx is done and the state is saved.
func Serve(ctx context.Context, cfg config.Config, opts ServeOptions) error {
	env, err := Open(cfg, opts.Log)
	if err != nil {
		return err
	}
	defer env.Close()
	if opts.Clock != nil {
		env.clock = opts.Clock
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go env.watchSettings(ctx)
	o, stopOps, err := startOps(ctx, env, opts)
	if err != nil {
		return err
	}
	defer stopOps()
	if !cfg.Runs(config.RoleAPI) {
		return serveRoles(ctx, cancel, env, o, opts)
	}
	// The API serves the same metrics and health as the ops listener.
	apiOpts := opts.API
	apiOpts.Metrics, apiOpts.Healthz, apiOpts.Readyz = o.metrics.Handler(), health.Live(), o.health.Ready()
	apiDone, err := env.startAPI(ctx, apiOpts)
	if err != nil {
		return err
	}
	defer func() { cancel(); <-apiDone }()
	dm, err := deliver.NewMetrics(o.metrics)
	if err != nil {
		return err
	}
	stopDelivery, err := env.startDelivery(ctx, destination{opts.Out, opts.OutPath, dm})
	if err != nil {
		return err
	}
	if cfg.Scaled() {
		err = serveRoles(ctx, cancel, env, o, opts)
	} else {
		err = serveSources(ctx, cancel, env, o, opts)
	}
	final, cancelFinal := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelFinal()
	return errors.Join(err, stopDelivery(final))
}

// serveSources runs the activity consumer and the flow collector until ctx
// ends or one fails (cancel stops the other).
func serveSources(ctx context.Context, cancel context.CancelFunc, env *Env, o *ops, opts ServeOptions) error {
	cfg := env.cfg
	actDone := make(chan error, 1)
	if cfg.Activity.Live() {
		a, err := env.openActivity(opts.ActivityProgress)
		if err != nil {
			return err
		}
		a.publish = o.publishActivity
		// The activity detections' IP lists reload when their files change.
		go env.Lists.Run(ctx, listReloadInterval)
		env.log.Info("serve consuming activity", "brokers", cfg.Activity.Kafka.Brokers, "topics", cfg.Activity.Kafka.Topics)
		go func() {
			err := a.run(ctx, opts.FlushOnStop)
			cancel() // a failed activity path stops serve
			actDone <- err
		}()
	} else {
		actDone <- nil
	}
	collector := len(cfg.Network.Collector.IPFIX)+len(cfg.Network.Collector.NetFlow) > 0
	np, cloudDone, err := startCloud(ctx, cancel, env, o, opts, collector)
	if err != nil {
		cancel()
		return errors.Join(err, <-actDone)
	}
	var flowErr error
	if collector {
		flowErr = serveFlows(ctx, env, o, opts, np)
		cancel() // a failed collector stops serve
	} else if opts.Ready != nil {
		opts.Ready(nil)
	}
	return errors.Join(flowErr, <-actDone, <-cloudDone)
}

// serveFlows runs the flow collector and the network detections.
func serveFlows(ctx context.Context, env *Env, o *ops, opts ServeOptions, np *netPath) error {
	cfg := env.cfg
	if np == nil { // else shared with cloud polling, which opened it
		var err error
		if np, err = env.openNetwork(); err != nil {
			return err
		}
		env.stateMu.Lock()
		env.net = np // the API's host summaries read it
		env.stateMu.Unlock()
	}
	batches, recycle := make(chan []flow.Record, 256), &flowBatches{}
	consume := func(rs []flow.Record) {
		select {
		case batches <- recycle.copy(rs): // the collector reuses rs
		case <-ctx.Done():
		}
	}
	col, err := flowsource.New(cfg.Network.Collector.FlowSource(), flowsource.Deps{Consumer: consume, Logger: env.log})
	if err != nil {
		return err
	}
	o.bindCollector(col, np)
	if opts.Ready != nil {
		opts.Ready(col.LocalAddrs())
	}
	env.log.Info("serve listening", "addrs", col.LocalAddrs())
	colDone := make(chan error, 1)
	go func() { colDone <- col.Run(ctx) }()
	if np.ti != nil {
		go np.ti.Run(ctx)
	}
	dead, err := openDeadLetter(cfg.DataDir)
	if err != nil {
		return err
	}
	defer dead.close()
	s := &server{env: env, np: np, dead: dead, budget: newBudget(rejectsPerMinute), gate: env.newGate(), recycle: recycle,
		sum: &Summary{NetworkAlerts: map[string]int{}, Rejected: map[string]int{}}, progress: opts.Progress, publish: o.publishFlows}
	loopErr := s.loop(ctx, batches, cfg.Network.SnapshotInterval)
	colErr := <-colDone
	stopErr := s.stop(batches, opts.FlushOnStop)
	s.logCollector(col)
	return errors.Join(loopErr, colErr, stopErr)
}

// server owns the engine: only its goroutine touches it.
type server struct {
	env     *Env
	np      *netPath
	sum     *Summary
	dead    *deadLetter
	budget  *budget
	gate    *gate
	recycle *flowBatches // the batches observed go back to it

	progress func(netdetect.Counters)
	publish  func(netdetect.Counters, netdetect.Gauges, map[string]int)
}

func (s *server) loop(ctx context.Context, batches <-chan []flow.Record, every time.Duration) error {
	tk := time.NewTicker(every)
	defer tk.Stop()
	clock := time.NewTicker(min(every, tickInterval))
	defer clock.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case rs := <-batches:
			if err := s.observe(rs); err != nil {
				return err
			}
		case <-clock.C:
			if err := s.tick(); err != nil {
				return err
			}
		case <-tk.C:
			start := time.Now()
			if err := s.np.saveLocked(&s.env.stateMu, s.env.Store); err != nil {
				s.env.log.Warn("snapshot", "err", err)
			}
			s.env.observeStore("save_network", start)
		}
	}
}

// tick gives the engine the wall clock: hours their exporters left open
// past hour_idle close.
func (s *server) tick() error {
	s.env.stateMu.Lock()
	alerts := s.np.eng.Tick(s.gate.now())
	s.env.stateMu.Unlock()
	return s.env.emitNetwork(alerts, s.sum)
}

func (s *server) observe(rs []flow.Record) error {
	var alerts []event.Alert
	s.env.stateMu.Lock()
	for i := range rs {
		r := &rs[i]
		if rej, ok := s.gate.check(r.Time(), r.Source, r.Index); !ok {
			s.reject(rej)
			continue
		}
		alerts = append(alerts, s.np.eng.Observe(r)...)
	}
	s.env.stateMu.Unlock()
	if s.recycle != nil {
		s.recycle.put(rs)
	}
	err := s.env.emitNetwork(alerts, s.sum)
	if s.progress != nil {
		s.progress(s.np.eng.Counters())
	}
	if s.publish != nil {
		s.publish(s.np.eng.Counters(), s.np.eng.Gauges(), s.sum.Rejected)
	}
	return err
}

// reject counts a flow the trust model refused and sets it aside, within
// the per-minute budget.
func (s *server) reject(rej normalize.Rejection) {
	s.sum.Rejected[rej.Reason]++
	if s.budget.allow(rej.Reason, s.gate.now()) {
		s.dead.add(rej)
	}
}

// logCollector logs the collector's drops by reason, and the flows the
// time trust model rejected, at stop.
func (s *server) logCollector(col *flowsource.Collector) {
	c := col.Counters()
	s.env.log.Info("collector stopped", "packets", c.Packets, "flows", c.Flows, "dropped", c.Dropped,
		"not_allowed", c.NotAllowed, "evicted", c.Evicted, "template_memory", c.TemplateMemory,
		"truncated", c.Truncated, "bad_version", c.BadVersion, "unknown_template", c.UnknownTemplate,
		"template_rejected", c.TemplateRejected, "malformed", c.Malformed, "untrusted_time", s.sum.Rejected,
		"rejections_not_written", s.budget.skipped)
}

// stop drains what the collector handed over before it stopped, optionally
// closes the open hours, and saves the state.
func (s *server) stop(batches <-chan []flow.Record, flush bool) error {
	var errs []error
	for drained := false; !drained; {
		select {
		case rs := <-batches:
			errs = append(errs, s.observe(rs))
		default:
			drained = true
		}
	}
	if flush {
		s.env.stateMu.Lock()
		flushed := s.np.eng.Flush()
		s.env.stateMu.Unlock()
		errs = append(errs, s.env.emitNetwork(flushed, s.sum))
	}
	errs = append(errs, s.np.saveLocked(&s.env.stateMu, s.env.Store))
	c := s.np.eng.Counters()
	s.env.log.Info("serve stopped", "flows", c.Flows, "late", c.Late, "alerts", c.Alerts, "new_alerts", s.sum.NewAlerts)
	return errors.Join(errs...)
}
