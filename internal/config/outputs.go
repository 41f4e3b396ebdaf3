package config

import (
	"fmt"

	"github.com/vedette/vedette/internal/deliver"
	"github.com/vedette/vedette/internal/notify"
)

// validateOutputs checks each output and that names are unique: an
// output's cursor and dead letters are stored under its name. "stdout" is
// reserved for the stdout of `vedette detect`.
func (c *Config) validateOutputs() []error {
	var errs []error
	seen := map[string]bool{}
	for i, o := range c.Outputs {
		where := fmt.Sprintf("outputs[%d]", i)
		if o.Name != "" {
			where = fmt.Sprintf("outputs[%d] (%s)", i, o.Name)
		}
		if err := o.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
		if seen[o.Name] {
			errs = append(errs, fmt.Errorf("%s: name used twice", where))
		}
		seen[o.Name] = true
	}
	return errs
}

// Output returns the output named name.
func (c *Config) Output(name string) (deliver.OutputConfig, bool) {
	for _, o := range c.Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return deliver.OutputConfig{}, false
}

// resolveOutputPaths makes the files outputs name relative to the config
// file's directory.
func (c *Config) resolveOutputPaths(abs func(string) string) {
	tls := func(t *notify.TLS) {
		t.CAFile, t.CertFile, t.KeyFile = abs(t.CAFile), abs(t.CertFile), abs(t.KeyFile)
	}
	for i := range c.Outputs {
		o := &c.Outputs[i]
		switch {
		case o.File != nil:
			o.File.Path = abs(o.File.Path)
		case o.Syslog != nil:
			tls(&o.Syslog.TLS)
		case o.Webhook != nil:
			tls(&o.Webhook.TLS)
			o.Webhook.TemplateFile = abs(o.Webhook.TemplateFile)
		case o.Splunk != nil:
			tls(&o.Splunk.TLS)
		case o.Kafka != nil:
			tls(&o.Kafka.TLS.TLS)
		}
	}
}
