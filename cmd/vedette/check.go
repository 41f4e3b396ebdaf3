package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/runner"
)

// runCheck loads the configuration strictly, opens and parses every file
// it names, and prints the effective settings (stdout, YAML with the
// file's keys) and what each file held (stderr).
func runCheck(args []string, _ *slog.Logger) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	cfgPath := fs.String("config", "vedette.yaml", "configuration file")
	lf := addLogFlags(fs, "warn")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := lf.logger()
	if err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
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
	fmt.Fprintf(os.Stderr, "%s: valid\n", *cfgPath)
	return nil
}
