package deliver

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/vedette/vedette/internal/format"
	"github.com/vedette/vedette/internal/format/cef"
	"github.com/vedette/vedette/internal/format/ocsf"
	"github.com/vedette/vedette/internal/format/sentinel"
	"github.com/vedette/vedette/internal/format/vedettejson"
	"github.com/vedette/vedette/internal/notify/file"
	"github.com/vedette/vedette/internal/notify/kafka"
	"github.com/vedette/vedette/internal/notify/splunk"
	"github.com/vedette/vedette/internal/notify/stdout"
	"github.com/vedette/vedette/internal/notify/syslog"
	"github.com/vedette/vedette/internal/notify/webhook"
)

// OutputConfig is one entry of the configuration's `outputs:` list. Exactly
// the block named by Type is set (stdout has none).
type OutputConfig struct {
	// Name identifies the output: its cursor, dead letters and metrics are
	// kept under it, so renaming an output delivers everything again.
	Name string `yaml:"name"`
	Type string `yaml:"type"` // stdout, file, syslog, webhook, splunk, kafka
	// Format: json (Vedette's), ocsf, sentinel or cef. Default: cef for
	// syslog, ocsf for webhook and kafka, json otherwise.
	Format string `yaml:"format"`
	Filter `yaml:",inline"`

	BatchSize   int           `yaml:"batch_size"`   // default 100 (webhook: 1 request per change regardless)
	Timeout     time.Duration `yaml:"timeout"`      // per attempt; default 30s
	MaxAttempts int           `yaml:"max_attempts"` // then a dead letter; default 10
	MinBackoff  time.Duration `yaml:"min_backoff"`  // default 1s
	MaxBackoff  time.Duration `yaml:"max_backoff"`  // default 5m

	File    *file.Config    `yaml:"file,omitempty"`
	Syslog  *syslog.Config  `yaml:"syslog,omitempty"`
	Webhook *webhook.Config `yaml:"webhook,omitempty"`
	Splunk  *splunk.Config  `yaml:"splunk,omitempty"`
	Kafka   *kafka.Config   `yaml:"kafka,omitempty"`
}

// Formats are the finding formats by configuration name.
var Formats = map[string]format.Func{
	"json": vedettejson.Format, "ocsf": ocsf.Format, "sentinel": sentinel.Format, "cef": cef.Format,
}

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// FormatName is the output's format, its default applied.
func (o OutputConfig) FormatName() string {
	if o.Format != "" {
		return o.Format
	}
	switch o.Type {
	case "syslog":
		return "cef"
	case "webhook", "kafka":
		return "ocsf"
	}
	return "json"
}

// Validate checks the output without I/O (no files read, no variables
// looked up, no connections).
func (o OutputConfig) Validate() error {
	if !nameRe.MatchString(o.Name) {
		return fmt.Errorf("name %q: lowercase letters, digits, - and _", o.Name)
	}
	if _, ok := Formats[o.FormatName()]; !ok {
		return fmt.Errorf("format %q: want json, ocsf, sentinel or cef", o.Format)
	}
	if o.BatchSize < 0 || o.Timeout < 0 || o.MaxAttempts < 0 || o.MinBackoff < 0 || o.MaxBackoff < 0 {
		return errors.New("batch_size, timeout, max_attempts and backoffs cannot be negative")
	}
	if err := o.Filter.Validate(); err != nil {
		return err
	}
	blocks := map[string]bool{"file": o.File != nil, "syslog": o.Syslog != nil, "webhook": o.Webhook != nil,
		"splunk": o.Splunk != nil, "kafka": o.Kafka != nil}
	for typ, set := range blocks {
		if set && typ != o.Type {
			return fmt.Errorf("type %s with a %s block", o.Type, typ)
		}
	}
	switch o.Type {
	case "stdout":
		return nil
	case "file", "syslog", "webhook", "splunk", "kafka":
		if !blocks[o.Type] {
			return fmt.Errorf("type %s needs its %s block", o.Type, o.Type)
		}
	default:
		return fmt.Errorf("type %q: want stdout, file, syslog, webhook, splunk or kafka", o.Type)
	}
	return o.validateBlock()
}

func (o OutputConfig) validateBlock() error {
	switch o.Type {
	case "file":
		return o.File.Validate()
	case "syslog":
		return o.Syslog.Validate()
	case "webhook":
		if o.FormatName() == "cef" && o.Webhook.Template == "" && o.Webhook.TemplateFile == "" {
			return errors.New("webhook bodies are JSON: format cef needs a template")
		}
		return o.Webhook.Validate()
	case "splunk":
		return o.Splunk.Validate()
	}
	return o.Kafka.Validate()
}

// WithDefaults returns o with its format and policy defaults filled in,
// as the effective configuration shows them.
// Only zero values are replaced: a negative one stays for Validate.
func (o OutputConfig) WithDefaults() OutputConfig {
	o.Format = o.FormatName()
	d := DefaultPolicy()
	fill := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	if o.BatchSize == 0 {
		o.BatchSize = d.BatchSize
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = d.MaxAttempts
	}
	fill(&o.Timeout, d.Timeout)
	fill(&o.MinBackoff, d.MinBackoff)
	fill(&o.MaxBackoff, max(d.MaxBackoff, o.MinBackoff))
	return o
}

// Policy is the output's delivery policy, defaults applied.
func (o OutputConfig) Policy() Policy {
	return Policy{BatchSize: o.BatchSize, Timeout: o.Timeout, MaxAttempts: o.MaxAttempts,
		MinBackoff: o.MinBackoff, MaxBackoff: o.MaxBackoff}.withDefaults()
}

// Build opens the output's transport: it reads secrets from the
// environment and TLS files, and opens files; network connections are made
// on first use. stdout is where a stdout output writes. The returned
// closer releases the transport.
func Build(o OutputConfig, w io.Writer) (Output, io.Closer, error) {
	if err := o.Validate(); err != nil {
		return Output{}, nil, fmt.Errorf("output %s: %w", o.Name, err)
	}
	f := Formats[o.FormatName()]
	var (
		n   Notifier
		c   io.Closer = nopCloser{}
		err error
	)
	switch o.Type {
	case "stdout":
		n = stdout.New(w, f)
	case "file":
		var fn *file.Notifier
		fn, err = file.New(*o.File, f, nil)
		n, c = fn, fn
	case "syslog":
		var sn *syslog.Notifier
		sn, err = syslog.New(*o.Syslog, f)
		n, c = sn, sn
	case "webhook":
		n, err = webhook.New(*o.Webhook, f, nil)
	case "splunk":
		n, err = splunk.New(*o.Splunk, f)
	case "kafka":
		var kn *kafka.Notifier
		kn, err = kafka.New(*o.Kafka, f)
		n, c = kn, kn
	}
	if err != nil {
		return Output{}, nil, fmt.Errorf("output %s: %w", o.Name, err)
	}
	return Output{Name: o.Name, Notifier: n, Filter: o.Filter, Policy: o.Policy()}, c, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }
