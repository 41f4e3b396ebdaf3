package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
)

// logFlags are every command's -log-level and -log-format.
type logFlags struct {
	level, format *string
}

// addLogFlags registers the logging flags on fs; level is the command's
// default.
func addLogFlags(fs *flag.FlagSet, level string) logFlags {
	return logFlags{
		level:  fs.String("log-level", level, "log level: debug, info, warn or error"),
		format: fs.String("log-format", "text", "log format on stderr: text (logfmt) or json"),
	}
}

// logger builds the logger the flags ask for, writing to stderr.
func (f logFlags) logger() (*slog.Logger, error) { return newLogger(os.Stderr, *f.level, *f.format) }

// parse parses a command's flags, then builds its logger.
func (f logFlags) parse(fs *flag.FlagSet, args []string) (*slog.Logger, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return f.logger()
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", format)
}
