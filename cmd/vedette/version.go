package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
)

// runVersion prints the module version and the build's VCS stamp.
func runVersion(args []string, _ *slog.Logger) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Errorf("no build information in this binary")
	}
	printVersion(os.Stdout, bi)
	return nil
}

// printVersion writes "vedette VERSION" and, when the build recorded them,
// the commit, its time, whether the tree was modified, Go and the platform.
func printVersion(w io.Writer, bi *debug.BuildInfo) {
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	fmt.Fprintf(w, "vedette %s\n", bi.Main.Version)
	if rev := settings["vcs.revision"]; rev != "" {
		if settings["vcs.modified"] == "true" {
			rev += " (modified)"
		}
		fmt.Fprintf(w, "  commit    %s\n", rev)
	}
	if t := settings["vcs.time"]; t != "" {
		fmt.Fprintf(w, "  committed %s\n", t)
	}
	fmt.Fprintf(w, "  go        %s\n", bi.GoVersion)
	fmt.Fprintf(w, "  platform  %s/%s\n", runtime.GOOS, runtime.GOARCH)
}
