package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/eval"
	"github.com/vedette/vedette/internal/gen"
	"github.com/vedette/vedette/internal/runner"
)

func runGen(args []string, _ *slog.Logger) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	def := gen.DefaultConfig()
	users := fs.Int("users", def.Users, "users in the organisation")
	days := fs.Int("days", def.Days, "days of activity")
	seed := fs.Uint64("seed", def.Seed, "random seed (same seed, same bytes)")
	start := fs.String("start", def.Start.Format(time.DateOnly), "first day (YYYY-MM-DD, UTC)")
	lf := addLogFlags(fs, "warn")
	log, err := lf.parse(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: vedette gen [flags] DIR")
	}
	cfg := def
	cfg.Users, cfg.Days, cfg.Seed = *users, *days, *seed
	t, err := time.Parse(time.DateOnly, *start)
	if err != nil {
		return fmt.Errorf("-start: %w", err)
	}
	cfg.Start = t
	dir := fs.Arg(0)
	log.Debug("generating", "dir", dir, "users", cfg.Users, "days", cfg.Days, "seed", cfg.Seed, "start", cfg.Start)
	sum, err := gen.Generate(dir, cfg)
	if err != nil {
		return err
	}
	nc := gen.DefaultNetworkConfig()
	nc.Seed, nc.Start = cfg.Seed, cfg.Start
	nsum, err := gen.GenerateNetwork(filepath.Join(dir, "network"), nc)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "vedette.yaml"), []byte(genConfig), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "vedette gen: %d flow tuples in %d files, labels %v in %s\n", nsum.Tuples, nsum.Files, nsum.Labels, filepath.Join(dir, "network"))
	fmt.Fprintf(os.Stderr, "vedette gen: %d sign-ins, %d management events, labels %v in %s\n", sum.SignIns, sum.Activities, sum.Labels, dir)
	return nil
}

// genConfig is the configuration written beside a generated month: the
// defaults plus the month's IP lists, the network month's inventory and
// threat-intel list, relative to the config's directory.
const genConfig = `# Written by vedette gen: the defaults plus this month's IP lists.
lists:
  - {path: lists/tor-exit.txt, category: tor-exit, name: tor-bulk-exit-list}
  - {path: lists/anonymous-proxy.txt, category: anonymous-proxy, name: anonymous-proxies}
  - {path: lists/vpn.csv, category: vpn, name: corporate-vpn}
  - {path: lists/corporate.txt, category: corporate, name: corporate-egress}
  - {path: lists/threat-intel.txt, category: malicious, name: threat-intel}
network:
  inventory: network/inventory.csv
  ti:
    lists: [network/ti-blocklist.txt]
`

func runEval(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration (default: DIR/vedette.yaml)")
	off := fs.String("suppressions-off", "", "comma-separated impossible-travel suppressions to turn off, to measure what each one is worth")
	lf := addLogFlags(fs, "warn")
	log, err := lf.parse(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: vedette eval [-config f.yaml] DIR")
	}
	dir := fs.Arg(0)
	if *cfgPath == "" {
		*cfgPath = filepath.Join(dir, "vedette.yaml")
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	if *off != "" {
		cfg.Detections.ImpossibleTravel.Settings.SuppressionsOff = strings.Split(*off, ",")
		if err := cfg.Validate(); err != nil {
			return err
		}
	}
	labels, err := gen.ReadLabels(filepath.Join(dir, "labels.jsonl"))
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "vedette-eval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cfg.DataDir = tmp
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return err
	}
	var inputs []string
	for _, f := range files {
		if filepath.Base(f) != "labels.jsonl" {
			inputs = append(inputs, f)
		}
	}
	flows, err := filepath.Glob(filepath.Join(dir, "network", "*.json"))
	if err != nil {
		return err
	}
	inputs = append(inputs, flows...)
	if len(flows) > 0 {
		net, err := gen.ReadLabels(filepath.Join(dir, "network", gen.NetLabelsFile))
		if err != nil {
			return err
		}
		labels = append(labels, net...)
	}
	var alerts alertCollector
	sum, err := runner.Detect(cfg, inputs, runner.Options{Out: &alerts, Log: log, Flush: true})
	if err != nil {
		return err
	}
	printSummary(os.Stderr, sum)
	want := make([]eval.Label, len(labels))
	for i, l := range labels {
		want[i] = eval.Label{Detection: l.Detection, Principal: l.Principal, Time: l.Time, Key: l.Key, Scenario: l.Scenario}
	}
	eval.Report(os.Stdout, eval.Compare(want, alerts.alerts))
	return nil
}
