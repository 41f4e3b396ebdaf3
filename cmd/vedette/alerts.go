package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/alertcli"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/runner"
	"github.com/vedette/vedette/internal/store"
)

func runAlerts(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("alerts", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (YAML); defaults apply without one")
	dataDir := fs.String("data", "", "data directory (overrides data_dir)")
	since := fs.String("since", "", "only alerts since: a duration (24h, 7d) or a date (2006-01-02, RFC 3339)")
	detections := fs.String("detection", "", "only these detections (comma-separated IDs)")
	statuses := fs.String("status", "", "only these statuses (comma-separated: new, active, resolved, dismissed)")
	incidents := fs.Bool("incidents", false, "list incidents instead of alerts")
	format := fs.String("format", "table", "table, or json (JSON lines: export)")
	limit := fs.Int("limit", 0, "at most this many (0: all)")
	lf := addLogFlags(fs, "warn")
	log, err := lf.parse(fs, args)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	opts := alertcli.Options{Detections: list(*detections), Incidents: *incidents, Format: *format, Limit: *limit}
	if opts.Since, err = alertcli.ParseSince(*since, time.Now()); err != nil {
		return err
	}
	for _, s := range list(*statuses) {
		opts.Statuses = append(opts.Statuses, event.Status(s))
	}
	s, err := runner.OpenStore(cfg, log)
	if err != nil {
		return err
	}
	defer s.Close()
	return alertcli.List(context.Background(), s, opts, os.Stdout)
}

// runMigrate opens the store, which applies its migrations and imports a
// bbolt data directory of an earlier version, and reports what it holds.
func runMigrate(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (YAML); defaults apply without one")
	dataDir := fs.String("data", "", "data directory (overrides data_dir)")
	lf := addLogFlags(fs, "warn")
	log, err := lf.parse(fs, args)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	s, err := runner.OpenStore(cfg, log)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx := context.Background()
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	c, err := s.CountAlerts(ctx, store.AlertFilter{})
	if err != nil {
		return err
	}
	fmt.Printf("vedette: %s store at schema version %d, %d alerts\n", s.Backend(), v, c.Total)
	return nil
}

func list(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
