package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/deliver"
	"github.com/vedette/vedette/internal/runner"
)

// runCheck loads the configuration strictly, opens and parses every file
// it names, and prints the effective settings (stdout, YAML with the
// file's keys) and what each file held (stderr). With -test-output it
// sends a test finding through that output instead.
func runCheck(args []string, _ *slog.Logger) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	cfgPath := fs.String("config", "vedette.yaml", "configuration file")
	testOutput := fs.String("test-output", "", "send a test finding to the output with this name")
	lf := addLogFlags(fs, "warn")
	log, err := lf.parse(fs, args)
	if err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	if *testOutput != "" {
		return sendTest(cfg, *cfgPath, *testOutput)
	}
	out, err := cfg.YAML()
	if err != nil {
		return err
	}
	log.Debug("opening the files the configuration names", "path", *cfgPath, "lists", len(cfg.Lists), "mmdb", len(cfg.Geo.MMDB), "inventory", cfg.Network.Inventory)
	report, err := runner.CheckFiles(cfg)
	for _, line := range report {
		fmt.Fprintf(os.Stderr, "  %s\n", line)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", *cfgPath, err)
	}
	if _, err := os.Stdout.Write(out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: valid (%d outputs)\n", *cfgPath, len(cfg.Outputs))
	return nil
}

// sendTest sends the test finding through the output named name.
func sendTest(cfg config.Config, cfgPath, name string) error {
	o, ok := cfg.Output(name)
	if !ok {
		return fmt.Errorf("%s: no output named %q", cfgPath, name)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := deliver.SendTest(ctx, o, os.Stdout, time.Now()); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: test finding delivered to output %s (%s, %s)\n", cfgPath, o.Name, o.Type, o.FormatName())
	return nil
}
