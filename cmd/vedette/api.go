package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/vedette/vedette/internal/api"
	"github.com/vedette/vedette/internal/console"
	"github.com/vedette/vedette/internal/runner"
)

// runAPI serves the HTTP API over an existing data directory, collecting
// nothing.
func runAPI(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (YAML): api.listen, api.tokens, api.tls")
	dataDir := fs.String("data", "", "data directory written by detect or serve (overrides data_dir)")
	listen := fs.String("listen", "", "listen address (overrides api.listen; default 127.0.0.1:8080)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	if *listen != "" {
		cfg.API.Listen = *listen
	}
	if cfg.API.Listen == "" {
		cfg.API.Listen = "127.0.0.1:8080"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runner.API(ctx, cfg, log, runner.APIOptions{Console: console.Handler(), Ready: announceAPI(cfg.API.TLS.Cert != "")})
}

// announceAPI prints where the API listens.
func announceAPI(tls bool) func(net.Addr) {
	return func(a net.Addr) {
		scheme := "http"
		if tls {
			scheme = "https"
		}
		fmt.Fprintf(os.Stderr, "vedette: console on %s://%s/, API under /api/v1/\n", scheme, a)
	}
}

// runToken prints a new random API token and the configuration entry that
// holds its hash.
func runToken(args []string, _ *slog.Logger) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	name := fs.String("name", "", "who the token is for (api.tokens[].name)")
	role := fs.String("role", "viewer", "viewer, analyst or admin")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := api.ParseRole(*role); err != nil {
		return err
	}
	if *name == "" {
		return fmt.Errorf("-name is required")
	}
	token, hash, err := api.NewToken()
	if err != nil {
		return err
	}
	return printToken(os.Stdout, *name, *role, token, hash)
}

func printToken(w io.Writer, name, role, token, hash string) error {
	_, err := fmt.Fprintf(w, "token: %s\n# add to the configuration (only the hash is kept):\napi:\n  tokens:\n    - {name: %s, role: %s, sha256: %s}\n",
		token, name, role, hash)
	return err
}
