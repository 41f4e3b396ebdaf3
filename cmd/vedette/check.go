package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/deliver"
)

func runCheck(args []string, _ *slog.Logger) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	cfgPath := fs.String("config", "vedette.yaml", "configuration file")
	testOutput := fs.String("test-output", "", "send a test finding to the output with this name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	if *testOutput != "" {
		o, ok := cfg.Output(*testOutput)
		if !ok {
			return fmt.Errorf("%s: no output named %q", *cfgPath, *testOutput)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		if err := deliver.SendTest(ctx, o, os.Stdout, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: test finding delivered to output %s (%s, %s)\n", *cfgPath, o.Name, o.Type, o.FormatName())
		return nil
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	fmt.Fprintf(os.Stderr, "%s: valid (%d outputs)\n", *cfgPath, len(cfg.Outputs))
	return enc.Encode(cfg.Detections)
}
