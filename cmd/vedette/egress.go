package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/runner"
)

// runEgress lists a tenant's learned shared egress: the IPs and networks
// several principals use, which impossible travel treats as infrastructure.
func runEgress(args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("egress", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file (YAML); defaults apply without one")
	dataDir := fs.String("data", "", "data directory holding the baselines (overrides data_dir)")
	tenant := fs.String("tenant", "", "tenant (Entra tenant ID or AWS account)")
	minP := fs.Int("min", 2, "least principals an IP or network must have")
	asJSON := fs.Bool("json", false, "JSON lines instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *tenant == "" {
		return errors.New("-tenant is required")
	}
	cfg, err := loadConfig(*cfgPath, *dataDir)
	if err != nil {
		return err
	}
	env, err := runner.Open(cfg, log)
	if err != nil {
		return err
	}
	defer env.Close()
	list, _ := env.Baselines.SharedEgress(*tenant, *minP) // an unknown tenant lists nothing
	return printEgress(os.Stdout, list, *asJSON)
}

func printEgress(w io.Writer, list []baseline.Egress, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, e := range list {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(w, "%-45s %10s  %s\n", "ip or network", "principals", "last seen")
	for _, e := range list {
		n := fmt.Sprint(e.Principals)
		if e.Principals >= baseline.MaxDistinct {
			n += "+" // counted exactly up to MaxDistinct
		}
		fmt.Fprintf(w, "%-45s %10s  %s\n", e.Prefix, n, e.LastSeen.Format(time.DateOnly))
	}
	return nil
}
