package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sort"
	"syscall"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/notify"
	"github.com/vedette/vedette/internal/runner"
)

// loadConfig reads the config file if one is named, else the defaults, and
// applies the -data flag over it.
func loadConfig(path, dataDir string) (config.Config, error) {
	cfg := config.Default()
	if path != "" {
		var err error
		if cfg, err = config.Load(path); err != nil {
			return cfg, err
		}
	}
	if dataDir != "" {
		cfg.DataDir = dataDir
	}
	return cfg, nil
}

func runDetect(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("detect", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (YAML); defaults apply without one")
	dataDir := fs.String("data", "", "data directory for baselines and alerts (overrides data_dir)")
	outPath := fs.String("out", "", "write findings here instead of stdout (JSON lines, appended; delivered at least once)")
	quiet := fs.Bool("q", false, "no progress or summary on stderr")
	flush := fs.Bool("flush", false, "close every open network hour at the end (a complete capture); off, the next run continues them")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	memProfile := fs.String("memprofile", "", "write a profile of the run's allocations to this file at its end (go tool pprof)")
	lf := addLogFlags(fs, "warn")
	log, err := lf.parse(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("no input files (name files, or - for standard input)")
	}
	if *cpuProfile != "" {
		stopProfile, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	if *memProfile != "" {
		defer writeAllocProfile(*memProfile, log)
	}
	cfg, err := loadConfig(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	// A closed pipe (`| head`) must surface as an error on stdout, not kill
	// the process: the stdout output then stops and a rerun resumes it.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := runner.Options{Out: os.Stdout, OutPath: *outPath, Log: log, Context: ctx, Flush: *flush}
	if !*quiet {
		opts.Progress = os.Stderr
	}
	sum, err := runner.Detect(cfg, fs.Args(), opts)
	if !*quiet {
		printSummary(os.Stderr, sum)
	}
	if errors.Is(err, notify.ErrClosed) {
		return fmt.Errorf("%w; the next run delivers what it could not write", err)
	}
	return err
}

func printSummary(w io.Writer, s runner.Summary) {
	fmt.Fprintf(w, "vedette: %d files, %d events read, %d processed, %d already processed earlier, %d rejected\n",
		s.Files, s.Read, s.Pipeline.Processed, s.Pipeline.Replayed, total(s.Rejected))
	for _, k := range sortedKeys(s.Rejected) {
		fmt.Fprintf(w, "  rejected %-22s %d\n", k, s.Rejected[k])
	}
	for _, r := range s.Examples {
		fmt.Fprintf(w, "  e.g. %s\n", r.Error())
	}
	if s.FlowsRead > 0 {
		fmt.Fprintf(w, "vedette: %d flow records read, %d late, %d unmonitored, %d host-hours closed, %d skipped by the one-hour rule\n",
			s.FlowsRead, s.Network.Late, s.Network.Unmonitored, s.Network.HoursClosed, s.Network.NotHeld)
		if s.OpenHours > 0 {
			fmt.Fprintf(w, "vedette: %d network hours left open: the next run over the following flows continues them; -flush closes them now\n", s.OpenHours)
		}
	}
	for _, f := range sortedKeys(s.LateFlows) {
		fmt.Fprintf(w, "vedette: late file %s: %d flow records of hours this data directory already closed, not counted\n", f, s.LateFlows[f])
	}
	fmt.Fprintf(w, "vedette: %d new alerts\n", s.NewAlerts)
	for _, k := range sortedKeys(s.Pipeline.Alerts) {
		fmt.Fprintf(w, "  %-22s %d\n", k, s.Pipeline.Alerts[k])
	}
	for _, k := range sortedKeys(s.NetworkAlerts) {
		fmt.Fprintf(w, "  %-22s %d\n", k, s.NetworkAlerts[k])
	}
	if s.Pipeline.AllowListed > 0 {
		fmt.Fprintf(w, "  suppressed by allow lists: %d\n", s.Pipeline.AllowListed)
	}
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// startCPUProfile profiles the process's CPU into path until the returned
// function is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeAllocProfile writes the allocations made so far (the allocs
// profile: every allocation sampled since the start) to path.
func writeAllocProfile(path string, log *slog.Logger) {
	f, err := os.Create(path)
	if err != nil {
		log.Error("memory profile", "err", err)
		return
	}
	defer f.Close()
	// The profile stops at the last collection: one now makes it cover
	// the whole run (a run that recycles its events collects rarely).
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		log.Error("memory profile", "path", path, "err", err)
	}
}
