package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/vedette/vedette/internal/demo"
	"github.com/vedette/vedette/internal/runner"
)

// runDemo loads the shipped sample into a scratch data directory and serves
// the API and the console on loopback until interrupted.
func runDemo(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	sample := fs.String("sample", demo.Sample, "sample directory (vedette.yaml and its logs)")
	dataDir := fs.String("data", "", "data directory to load the sample into (default: a scratch directory removed on exit)")
	listen := fs.String("listen", "", "loopback address (default 127.0.0.1:8080, or a free port if it is taken)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	scratch := *dataDir == ""
	if scratch {
		dir, err := os.MkdirTemp("", "vedette-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dataDir = dir
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(os.Stderr, "vedette demo: loading %s into %s ...\n", *sample, *dataDir)
	return demo.Run(ctx, demo.Options{Sample: *sample, Data: *dataDir, Listen: *listen, Log: log,
		Ready: func(url string, tokens map[string]string, sum runner.Summary) {
			fmt.Printf("Vedette demo: %d events, %d alerts from the shipped sample.\n\n", sum.Read, sum.NewAlerts)
			fmt.Printf("  Console:  %s\n  Token:    %s   (admin)\n\n", url, tokens["admin"])
			fmt.Printf("Other roles: analyst %s, viewer %s\n", tokens["analyst"], tokens["viewer"])
			if scratch {
				fmt.Println("Ctrl-C stops the demo and removes its scratch data directory.")
			} else {
				fmt.Println("Ctrl-C stops the demo; the data directory stays.")
			}
		}})
}
