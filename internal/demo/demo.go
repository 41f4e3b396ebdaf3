// Package demo runs Vedette on its shipped sample with the console: the
// sample's activity logs, and a week of VNet flow logs of 20 VMs generated
// beside them (seeded, so always the same), go through `detect` into a data
// directory; then the HTTP API and the console are served on loopback with
// fresh tokens, one per role.
package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"

	"github.com/vedette/vedette/internal/api"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/console"
	"github.com/vedette/vedette/internal/gen"
	"github.com/vedette/vedette/internal/runner"
)

// Sample is the shipped sample, relative to the repository root.
const Sample = "testdata/sample"

// files are the sample's logs, as the README's detect command names them.
var files = []string{"signins.jsonl", "activity.jsonl"}

// Roles are the roles the demo makes a token for, strongest first.
var Roles = []string{"admin", "analyst", "viewer"}

// Options for Run.
type Options struct {
	Sample string // the sample directory (vedette.yaml and logs); default Sample
	Data   string // the data directory the sample is loaded into (required)
	Listen string // loopback address; default 127.0.0.1:8080, or any free port if that is taken
	Log    *slog.Logger
	// Ready is called once the console is served, with its URL, the tokens
	// by role and what loading the sample did.
	Ready func(url string, tokens map[string]string, sum runner.Summary)
}

// Config is the sample's configuration over the data directory data.
func Config(sample, data string) (config.Config, error) {
	cfg, err := config.Load(filepath.Join(sample, "vedette.yaml"))
	if err != nil {
		return cfg, fmt.Errorf("demo: %w", err)
	}
	cfg.DataDir = data
	dir := networkDir(data)
	cfg.Network.Inventory = filepath.Join(dir, gen.NetInventoryFile)
	cfg.Network.TI.Lists = []string{filepath.Join(dir, gen.NetTIFile)}
	return cfg, nil
}

// networkDir holds the generated week of flow logs, its inventory and its
// threat-intel list.
func networkDir(data string) string { return filepath.Join(data, "demo-network") }

// Load runs detect over the sample's activity logs and a generated week of
// flow logs (written under the data directory, where Config points the
// network inventory and threat-intel list) into cfg's data directory.
func Load(cfg config.Config, sample string, log *slog.Logger) (runner.Summary, error) {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(sample, f)
	}
	flows, err := network(cfg.DataDir)
	if err != nil {
		return runner.Summary{}, err
	}
	sum, err := runner.Detect(cfg, append(paths, flows...), runner.Options{Out: io.Discard, Log: log})
	if err != nil {
		return sum, fmt.Errorf("demo: load the sample: %w", err)
	}
	return sum, nil
}

// network generates the week of flow logs of 20 VMs once per data
// directory (seeded: always the same) and returns its files.
func network(data string) ([]string, error) {
	dir := networkDir(data)
	if _, err := os.Stat(filepath.Join(dir, gen.NetInventoryFile)); err != nil {
		nc := gen.DefaultNetworkConfig()
		nc.VMs, nc.Days = 20, 7
		if _, err := gen.GenerateNetwork(dir, nc); err != nil {
			return nil, fmt.Errorf("demo: generate flow logs: %w", err)
		}
	}
	flows, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(flows) == 0 {
		return nil, fmt.Errorf("demo: no generated flow logs in %s (%v)", dir, err)
	}
	return flows, nil
}

// Run loads the sample and serves the API and the console until ctx ends.
func Run(ctx context.Context, opts Options) error {
	if opts.Sample == "" {
		opts.Sample = Sample
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	cfg, err := Config(opts.Sample, opts.Data)
	if err != nil {
		return err
	}
	sum, err := Load(cfg, opts.Sample, opts.Log)
	if err != nil {
		return err
	}
	tokens := map[string]string{}
	for _, role := range Roles {
		token, hash, err := api.NewToken()
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		tokens[role] = token
		cfg.API.Tokens = append(cfg.API.Tokens, config.Token{Name: "demo-" + role, Role: role, SHA256: hash})
	}
	cfg.API.Listen = listenAddr(opts.Listen)
	return runner.API(ctx, cfg, opts.Log, runner.APIOptions{
		Console: console.Handler(),
		Ready: func(a net.Addr) {
			if opts.Ready != nil {
				opts.Ready("http://"+a.String()+"/", tokens, sum)
			}
		},
	})
}

// listenAddr is addr, or 127.0.0.1:8080 when that port is free, else any
// free loopback port: the demo must start on a machine where 8080 is taken.
func listenAddr(addr string) string {
	if addr != "" {
		return addr
	}
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		return "127.0.0.1:0"
	}
	ln.Close()
	return "127.0.0.1:8080"
}
