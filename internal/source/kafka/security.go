package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
)

// security returns the TLS and SASL options of cfg. It reads the CA file
// and the password's environment variable.
func security(cfg Config) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	if cfg.TLS.Enabled {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.TLS.ServerName}
		if cfg.TLS.CAFile != "" {
			var err error
			if tc.RootCAs, err = LoadCA(cfg.TLS.CAFile); err != nil {
				return nil, err
			}
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	if cfg.SASL.Mechanism == "plain" {
		pass := cfg.SASL.Password
		if cfg.SASL.PasswordEnv != "" {
			if pass = os.Getenv(cfg.SASL.PasswordEnv); pass == "" {
				return nil, fmt.Errorf("kafka: sasl: environment variable %s is empty", cfg.SASL.PasswordEnv)
			}
		}
		opts = append(opts, kgo.SASL(plain.Auth{User: cfg.SASL.Username, Pass: pass}.AsMechanism()))
	}
	return opts, nil
}

// kgoLogger hands the client's warnings and errors to slog.
type kgoLogger struct{ l *slog.Logger }

func (k kgoLogger) Level() kgo.LogLevel { return kgo.LogLevelWarn }

func (k kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	lvl := slog.LevelWarn
	if level == kgo.LogLevelError {
		lvl = slog.LevelError
	}
	k.l.Log(context.Background(), lvl, "kafka client: "+msg, keyvals...)
}

// LoadCA reads the PEM bundle of CAs at path (tls.ca_file).
func LoadCA(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kafka: tls: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("kafka: tls: %s: no PEM certificate", path)
	}
	return pool, nil
}
