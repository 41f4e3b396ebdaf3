package runner

import (
	"context"
	"errors"
	"sync"

	"github.com/vedette/vedette/internal/config"
)

// serveRoles runs the scale-out roles the configuration names (roles:)
// instead of serve's single-machine sources, until ctx ends or one fails
// (cancel stops the others). The API role is Serve's API and delivery.
func serveRoles(ctx context.Context, cancel context.CancelFunc, env *Env, o *ops, opts ServeOptions) error {
	cfg := env.cfg
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	run := func(fn func() error) {
		wg.Go(func() {
			if err := fn(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				cancel()
			}
		})
	}
	if cfg.Runs(config.RoleIngest) {
		in, err := env.newIngestRole(opts.FlushOnStop, opts.ActivityProgress)
		if err != nil {
			return err
		}
		in.killed = opts.killIngest
		env.log.Info("serve: ingest role", "activity_topic", cfg.Cluster.ActivityTopic, "flow_topic", cfg.Cluster.FlowTopic)
		run(func() error { return in.run(ctx, opts.Ready) })
	} else if opts.Ready != nil {
		opts.Ready(nil)
	}
	if cfg.Runs(config.RoleDetect) {
		d, err := env.newDetectRole(opts.FlushOnStop)
		if err != nil {
			cancel()
			wg.Wait()
			return err
		}
		if err := o.bindDetect(d); err != nil {
			d.cl.Close()
			cancel()
			wg.Wait()
			return err
		}
		env.log.Info("serve: detect role", "group", cfg.Cluster.Kafka.Group, "brokers", cfg.Cluster.Kafka.Brokers)
		run(func() error { return d.run(ctx) })
	}
	if !cfg.Runs(config.RoleIngest) && !cfg.Runs(config.RoleDetect) {
		<-ctx.Done() // the API role alone
	}
	wg.Wait()
	return errors.Join(errs...)
}
