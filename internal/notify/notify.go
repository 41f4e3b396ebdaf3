// Package notify holds what the transports share: TLS settings, secrets
// read from the environment, and errors that tell the delivery loop how to
// treat a failure. Each transport is its own package (stdout, file, syslog,
// webhook, splunk, kafka) with a Config, a New and one method,
//
//	Notify(ctx context.Context, changes []event.Change) (retry bool, err error)
//
// that sends a batch in order and says whether a failure is worth retrying.
// Retries, backoff, dead letters and metrics live once, in internal/deliver.
package notify

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrClosed means the receiver went away for good in this process (a closed
// pipe on stdout): the delivery loop stops the output without dead-lettering
// and the next run resumes from its cursor.
var ErrClosed = errors.New("notify: receiver closed")

// TLS are the TLS settings of a client transport. The zero value verifies the
// server against the system roots.
type TLS struct {
	CAFile             string `yaml:"ca_file"`
	CertFile           string `yaml:"cert_file"` // client certificate, for mutual TLS
	KeyFile            string `yaml:"key_file"`
	ServerName         string `yaml:"server_name"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"` // for tests against self-signed receivers only
	MinVersion         string `yaml:"min_version"`          // "1.2" (default) or "1.3"
}

// Validate checks the settings without reading files.
func (t TLS) Validate() error {
	if (t.CertFile == "") != (t.KeyFile == "") {
		return errors.New("tls: cert_file and key_file go together")
	}
	switch t.MinVersion {
	case "", "1.2", "1.3":
		return nil
	}
	return fmt.Errorf("tls: min_version %q: want 1.2 or 1.3", t.MinVersion)
}

// Config loads the files and returns the client configuration.
func (t TLS) Config() (*tls.Config, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	c := &tls.Config{ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify, MinVersion: tls.VersionTLS12} //nolint:gosec // opt-in, documented as test-only
	if t.MinVersion == "1.3" {
		c.MinVersion = tls.VersionTLS13
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls: ca_file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls: ca_file %s: no PEM certificate", t.CAFile)
		}
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls: client certificate: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// ValidEnvName reports whether name can name an environment variable.
func ValidEnvName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "= \t\n\x00")
}

// Secret reads a secret from the environment variable name; secrets never
// live in the configuration file.
func Secret(name string) (string, error) {
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return "", fmt.Errorf("environment variable %s is not set", name)
	}
	return v, nil
}
