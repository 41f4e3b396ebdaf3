package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/vedette/vedette/internal/kafkasec"
)

// checkTimeout bounds Check when its context has no earlier deadline.
const checkTimeout = 30 * time.Second

// security returns the TLS and SASL options of cfg and the watch that
// explains refused connections. It reads the CA file and the password's
// environment variable.
func security(cfg Config, log *slog.Logger) ([]kgo.Opt, *kafkasec.Watch, error) {
	watch := kafkasec.NewWatch(cfg.Brokers, cfg.TLS.Enabled, cfg.SASL.Mechanism, cfg.SASL.Username, log)
	opts := []kgo.Opt{kgo.WithHooks(watch)}
	if cfg.TLS.Enabled {
		// kgo sets ServerName to each dialed broker's host when empty.
		tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.TLS.ServerName}
		if cfg.TLS.CAFile != "" {
			var err error
			if tc.RootCAs, err = LoadCA(cfg.TLS.CAFile); err != nil {
				return nil, nil, err
			}
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	if cfg.SASL.Mechanism == "" {
		return opts, watch, nil
	}
	pass := cfg.SASL.Password
	if cfg.SASL.PasswordEnv != "" {
		if pass = os.Getenv(cfg.SASL.PasswordEnv); pass == "" {
			return nil, nil, fmt.Errorf("kafka: sasl: environment variable %s is empty", cfg.SASL.PasswordEnv)
		}
		if err := kafkasec.CheckConnectionString(cfg.SASL.Username, pass); err != nil {
			return nil, nil, fmt.Errorf("kafka: %s: %w", cfg.SASL.PasswordEnv, err)
		}
	}
	m, err := kafkasec.Mechanism(cfg.SASL.Mechanism, cfg.SASL.Username, pass)
	if err != nil {
		return nil, nil, fmt.Errorf("kafka: %w", err)
	}
	return append(opts, kgo.SASL(m)), watch, nil
}

// Check asks the brokers once for the topics' metadata, so that a refused
// login or a TLS mismatch is an error at start, naming the broker and the
// mechanism (errors.Is kafkasec.ErrRefused), instead of being retried in
// silence. Topics the brokers do not know are logged: Azure diagnostic
// settings create their event hub with the first export.
func (c *Consumer) Check(ctx context.Context, topics []string) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	go func() {
		select {
		case <-c.watch.Refused():
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := c.cl.Ping(ctx); err != nil {
		return c.watch.Explain(err)
	}
	req := kmsg.NewPtrMetadataRequest()
	for _, t := range topics {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(t)
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, c.cl)
	if err != nil {
		return c.watch.Explain(err)
	}
	for _, t := range resp.Topics {
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			name := ""
			if t.Topic != nil {
				name = *t.Topic
			}
			c.log.Warn("kafka topic not readable yet", "topic", name, "err", err)
		}
	}
	return nil
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
