package runner

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowsource"
	"github.com/vedette/vedette/internal/netdetect"
)

// ServeOptions for a live run.
type ServeOptions struct {
	Out io.Writer // alerts as JSON lines
	Log *slog.Logger
	// Ready, if set, is called with the collector's bound UDP addresses
	// once it listens.
	Ready func([]netip.AddrPort)
	// FlushOnStop closes every open hour at shutdown, as at the end of a
	// batch of files, so a bounded capture raises its alerts. Flows of
	// those hours that arrive after a restart then count as late. Off, the
	// open hours are saved and a restart resumes them.
	FlushOnStop bool
	// Progress, if set, is called from the engine's goroutine after each
	// batch of records with the running totals (metrics, tests).
	Progress func(netdetect.Counters)
}

// Serve collects IPFIX/NetFlow on the configured UDP addresses, runs the
// network detections over the flows as they arrive, and writes alerts not
// raised before to opts.Out. It saves the detection state every
// network.snapshot_interval and when ctx ends, and restores it on start,
// so a restart continues where the last run stopped. It returns nil once
// ctx is done and the state is saved.
func Serve(ctx context.Context, cfg config.Config, opts ServeOptions) error {
	env, err := Open(cfg, opts.Log)
	if err != nil {
		return err
	}
	defer env.Close()
	np, err := env.openNetwork()
	if err != nil {
		return err
	}
	batches := make(chan []flow.Record, 256)
	consume := func(rs []flow.Record) {
		select {
		case batches <- slices.Clone(rs): // the collector reuses rs
		case <-ctx.Done():
		}
	}
	col, err := flowsource.New(cfg.Network.Collector.FlowSource(), flowsource.Deps{Consumer: consume, Logger: env.log})
	if err != nil {
		return err
	}
	if opts.Ready != nil {
		opts.Ready(col.LocalAddrs())
	}
	env.log.Info("serve listening", "addrs", col.LocalAddrs())
	colDone := make(chan error, 1)
	go func() { colDone <- col.Run(ctx) }()
	if np.ti != nil {
		go np.ti.Run(ctx)
	}
	s := &server{env: env, np: np, enc: json.NewEncoder(opts.Out), sum: &Summary{NetworkAlerts: map[string]int{}}, progress: opts.Progress}
	loopErr := s.loop(ctx, batches, cfg.Network.SnapshotInterval)
	colErr := <-colDone
	return errors.Join(loopErr, colErr, s.stop(batches, opts.FlushOnStop))
}

// server owns the engine: only its goroutine touches it.
type server struct {
	env *Env
	np  *netPath
	enc *json.Encoder
	sum *Summary

	progress func(netdetect.Counters)
}

func (s *server) loop(ctx context.Context, batches <-chan []flow.Record, every time.Duration) error {
	tk := time.NewTicker(every)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case rs := <-batches:
			if err := s.observe(rs); err != nil {
				return err
			}
		case <-tk.C:
			if err := s.np.save(s.env.Store); err != nil {
				s.env.log.Warn("snapshot", "err", err)
			}
		}
	}
}

func (s *server) observe(rs []flow.Record) error {
	var alerts []event.Alert
	for i := range rs {
		alerts = append(alerts, s.np.eng.Observe(&rs[i])...)
	}
	err := s.env.emitNetwork(alerts, s.enc, s.sum)
	if s.progress != nil {
		s.progress(s.np.eng.Counters())
	}
	return err
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
		errs = append(errs, s.env.emitNetwork(s.np.eng.Flush(), s.enc, s.sum))
	}
	errs = append(errs, s.np.save(s.env.Store))
	c := s.np.eng.Counters()
	s.env.log.Info("serve stopped", "flows", c.Flows, "late", c.Late, "alerts", c.Alerts, "new_alerts", s.sum.NewAlerts)
	return errors.Join(errs...)
}
