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

	"github.com/vedette/vedette/internal/runner"
)

func runServe(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (YAML); defaults apply without one")
	dataDir := fs.String("data", "", "data directory for state and alerts (overrides data_dir)")
	outPath := fs.String("out", "", "write alerts here instead of stdout (JSON lines, appended)")
	flush := fs.Bool("flush-on-exit", false, "close open hours and release held activity events on exit (a bounded capture); off, a restart resumes them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	out, closeOut, err := openOut(*outPath)
	if err != nil {
		return err
	}
	defer closeOut()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runner.Serve(ctx, cfg, runner.ServeOptions{
		Out: out, Log: log, FlushOnStop: *flush,
		API: runner.APIOptions{Ready: announceAPI(cfg.API.TLS.Cert != "")},
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
