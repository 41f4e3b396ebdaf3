package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/vedette/vedette/internal/deliver"
	"github.com/vedette/vedette/internal/format/vedettejson"
	"github.com/vedette/vedette/internal/notify/file"
	"github.com/vedette/vedette/internal/notify/stdout"
	"github.com/vedette/vedette/internal/store"
)

// The store's outbox is what the delivery loop consumes.
var _ deliver.Outbox = (*store.Store)(nil)

// destination is where a command writes findings besides the configured
// outputs: standard output, or the -out file. Each is an output of its own,
// delivered from the outbox with a cursor, so what a closed pipe or a crash
// kept from it is delivered by the next run.
type destination struct {
	Out     io.Writer // standard output (cursor "stdout"); nil for none
	OutPath string    // -out: JSON lines appended and synced (cursor "out:ABSPATH"); replaces Out
	Metrics *deliver.Metrics
}

// outputs builds the configured outputs and the destination's; close
// releases their transports.
func (env *Env) outputs(d destination) (outs []deliver.Output, closeAll func() error, err error) {
	var closers []io.Closer
	closeAll = func() error {
		var errs []error
		for _, c := range closers {
			errs = append(errs, c.Close())
		}
		return errors.Join(errs...)
	}
	defer func() {
		if err != nil {
			closeAll()
		}
	}()
	for _, oc := range env.cfg.Outputs {
		o, c, err := deliver.Build(oc, d.Out)
		if err != nil {
			return nil, closeAll, err
		}
		outs, closers = append(outs, o), append(closers, c)
	}
	switch {
	case d.OutPath != "":
		abs, err := filepath.Abs(d.OutPath)
		if err != nil {
			return nil, closeAll, err
		}
		fn, err := file.New(file.Config{Path: abs}, vedettejson.Format, nil)
		if err != nil {
			return nil, closeAll, err
		}
		outs, closers = append(outs, deliver.Output{Name: "out:" + abs, Notifier: fn}), append(closers, fn)
	case d.Out != nil:
		outs = append(outs, deliver.Output{Name: "stdout", Notifier: stdout.New(d.Out, vedettejson.Format)})
	}
	return outs, closeAll, nil
}

// deliverAll delivers the whole outbox to every output and returns: the end
// of `vedette detect`.
func (env *Env) deliverAll(ctx context.Context, d destination) error {
	outs, closeAll, err := env.outputs(d)
	if err != nil {
		return err
	}
	dl, err := deliver.New(env.Store, outs, deliver.Deps{Log: env.log, Metrics: d.Metrics})
	if err != nil {
		closeAll()
		return err
	}
	return errors.Join(dl.Drain(ctx), closeAll())
}

// startDelivery runs delivery in the background for serve; env.emit wakes
// it after each store. stop ends it, then drains what the last alerts added
// (bounded by ctx).
func (env *Env) startDelivery(ctx context.Context, d destination) (stop func(context.Context) error, err error) {
	outs, closeAll, err := env.outputs(d)
	if err != nil {
		return nil, err
	}
	dl, err := deliver.New(env.Store, outs, deliver.Deps{Log: env.log, Metrics: d.Metrics})
	if err != nil {
		closeAll()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- dl.Run(runCtx) }()
	env.wake = dl.Wake
	return func(final context.Context) error {
		cancel()
		runErr := <-done
		if errors.Is(runErr, context.Canceled) {
			runErr = nil
		}
		env.wake = nil
		drainErr := dl.Drain(final)
		if errors.Is(drainErr, context.DeadlineExceeded) {
			drainErr = fmt.Errorf("delivery at shutdown: %w (the next start resumes it)", drainErr)
		}
		return errors.Join(runErr, drainErr, closeAll())
	}, nil
}
