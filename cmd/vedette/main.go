// Command vedette is a self-hosted threat-detection engine: it reads the
// activity logs and flows you already have and raises the alerts cloud
// providers keep inside their paid services.
//
//	vedette detect  [-config f.yaml] [-data dir] [-out alerts.jsonl] [-flush] FILE|- ...
//	vedette check   [-config f.yaml] [-test-output NAME]
//	vedette gen     [-users N] [-days N] [-seed N] DIR
//	vedette eval    [-config f.yaml] [-suppressions-off a,b] DIR
//	vedette serve   [-config f.yaml] [-data dir] [-out alerts.jsonl] [-flush-on-exit]
//	vedette alerts  [-config f.yaml] [-data dir] [-since 24h] [-detection id,..] [-status s,..] [-incidents] [-format table|json]
//	vedette migrate [-config f.yaml] [-data dir]
//	vedette egress  [-config f.yaml] [-data dir] -tenant T [-min N] [-json]
//	vedette api     [-config f.yaml] [-data dir] [-listen addr]
//	vedette token   -name NAME [-role viewer|analyst|admin]
//	vedette demo    [-listen addr] [-data dir] [-sample dir]
//	vedette version
//
// Exit status: 0 on success (and for -h), 1 when the run failed or an input
// could not be read (the other inputs are still read and their alerts
// written), 2 for an unknown command, 3 when detect read flow files older
// than the data directory's watermark (everything else done; see the
// summary's late files).
package main

import (
	"errors"
	"flag"
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
  detect   read activity logs (Azure Activity, Entra sign-ins, CloudTrail), Azure flow logs
           and Zeek logs from files, FIFOs or standard input ("-") and write alerts
  check    open every file a configuration names and print its effective settings
  gen      generate a labelled month of an organisation's activity
  eval     run detect on a generated month and report precision and recall
  serve    collect IPFIX/NetFlow over UDP and raise network alerts live
  alerts   list or export stored alerts and incidents
  migrate  bring a data directory (or PostgreSQL) to the current schema, converting a bbolt store
  egress   list a tenant's learned shared egress (IPs and networks several principals use)
  api      serve the HTTP API over an existing data directory, collecting nothing
  token    print a new API token and the hash to put in the configuration
  demo     load the shipped sample and open the web console on it (prints the URL and a token)
  version  print the version and build information

vedette <command> -h describes a command's flags.
exit status: 0 success, 1 failure or an unreadable input, 2 unknown command,
3 flow files older than the data directory's watermark (detect).
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
		"egress":  runEgress,
		"version": runVersion,
		"demo":    runDemo,
		"api":     runAPI,
		"token":   runToken,
	}
	name, args := os.Args[1], os.Args[2:]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) == 0 {
			fmt.Fprint(os.Stdout, usage)
			return
		}
		name, args = args[0], []string{"-h"}
	case "-version", "--version":
		name = "version"
	}
	run, ok := cmds[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "vedette: unknown command %q\n%s", name, usage)
		os.Exit(2)
	}
	if err := run(args, log); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintf(os.Stderr, "vedette %s: %v\n", name, err)
		if errors.Is(err, runner.ErrLate) && !errors.Is(err, runner.ErrInputs) {
			os.Exit(exitLate)
		}
		os.Exit(1)
	}
}
