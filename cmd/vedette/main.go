// Command vedette is a self-hosted threat-detection engine: it reads the
// activity logs and flows you already have and raises the alerts cloud
// providers keep inside their paid services.
//
//	vedette detect [-config f.yaml] [-data dir] [-out alerts.jsonl] [-flush] FILE...
//	vedette check  -config f.yaml
//	vedette gen    [-users N] [-days N] [-seed N] DIR
//	vedette eval   [-config f.yaml] DIR
//	vedette serve  [-config f.yaml] [-data dir] [-out alerts.jsonl] [-flush-on-exit]
//	vedette alerts [-config f.yaml] [-data dir] [-since 24h] [-detection id,..] [-status s,..] [-incidents] [-format table|json]
//	vedette migrate [-config f.yaml] [-data dir]
package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/vedette/vedette/internal/runner"
)

// exitLate is the exit code of a detect run that read flow files older
// than its data directory's watermark (everything else was done).
const exitLate = 3

const usage = `usage: vedette <command> [flags] [args]

commands:
  detect   read activity logs (Azure Activity, Entra sign-ins, CloudTrail) and write alerts
  check    validate a configuration file
  gen      generate a labelled month of an organisation's activity
  eval     run detect on a generated month and report precision and recall
  serve    collect IPFIX/NetFlow over UDP and raise network alerts live
  alerts   list or export stored alerts and incidents
  migrate  bring a data directory (or PostgreSQL) to the current schema, converting a bbolt store
`

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmds := map[string]func([]string, *slog.Logger) error{
		"detect":  runDetect,
		"check":   runCheck,
		"gen":     runGen,
		"eval":    runEval,
		"serve":   runServe,
		"alerts":  runAlerts,
		"migrate": runMigrate,
	}
	run, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "vedette: unknown command %q\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err := run(os.Args[2:], log); err != nil {
		fmt.Fprintf(os.Stderr, "vedette %s: %v\n", os.Args[1], err)
		if errors.Is(err, runner.ErrLate) {
			os.Exit(exitLate)
		}
		os.Exit(1)
	}
}
