package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"syscall"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/console"
	"github.com/vedette/vedette/internal/runner"
)

func runServe(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (YAML); defaults apply without one")
	dataDir := fs.String("data", "", "data directory for state and alerts (overrides data_dir)")
	outPath := fs.String("out", "", "write findings here instead of stdout (JSON lines, appended; delivered at least once)")
	flush := fs.Bool("flush-on-exit", false, "close open hours and release held activity events on exit (a bounded capture); off, a restart resumes them")
	lf := addLogFlags(fs, "info")
	log, err := lf.parse(fs, args)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runner.Serve(ctx, cfg, runner.ServeOptions{
		Out: os.Stdout, OutPath: *outPath, Log: log, FlushOnStop: *flush,
		API:        runner.APIOptions{Console: console.Handler(), Ready: announceAPI(cfg.API.TLS.Cert != "")},
		Reload:     hangups(ctx),
		LoadConfig: func() (config.Config, error) { return loadConfig(*cfgPath, *dataDir) },
		Ready: func(addrs []netip.AddrPort) {
			if len(addrs) > 0 {
				fmt.Fprintf(os.Stderr, "vedette serve: listening on %v (udp)\n", addrs)
			}
			if cfg.Activity.Live() {
				fmt.Fprintf(os.Stderr, "vedette serve: consuming %v from %v\n", cfg.Activity.Kafka.Topics, cfg.Activity.Kafka.Brokers)
			}
		},
	})
}

// hangups turns SIGHUP into reload requests until ctx ends; a request
// arriving while one is pending is merged into it.
func hangups(ctx context.Context) <-chan struct{} {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	reqs := make(chan struct{}, 1)
	go func() {
		defer signal.Stop(sig)
		for {
			select {
			case <-ctx.Done():
				return
			case <-sig:
				select {
				case reqs <- struct{}{}:
				default:
				}
			}
		}
	}()
	return reqs
}
