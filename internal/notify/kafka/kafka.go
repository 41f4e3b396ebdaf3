// Package kafka delivers findings to a Kafka topic with franz-go: one record
// per change, keyed by the alert ID (so every change of one alert lands in
// one partition, in order), with headers vedette-seq and vedette-kind for
// consumers that drop duplicates. The producer is idempotent and waits for
// all in-sync replicas before a batch counts as delivered.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
	"github.com/vedette/vedette/internal/kafkasec"
	"github.com/vedette/vedette/internal/notify"
)

// Config of a Kafka output.
type Config struct {
	Brokers  []string `yaml:"brokers"` // host:port
	Topic    string   `yaml:"topic"`
	ClientID string   `yaml:"client_id"` // default "vedette"
	TLS      TLS      `yaml:"tls"`
	SASL     SASL     `yaml:"sasl"`
}

// TLS turns TLS on with the shared client settings.
type TLS struct {
	Enabled    bool `yaml:"enabled"`
	notify.TLS `yaml:",inline"`
}

// SASL authenticates the producer. The password is read from the
// environment variable PasswordEnv (Event Hubs: mechanism plain, username
// "$ConnectionString", the connection string as password).
type SASL struct {
	Mechanism   string `yaml:"mechanism"` // "", "plain", "scram-sha-256", "scram-sha-512"
	Username    string `yaml:"username"`
	PasswordEnv string `yaml:"password_env"`
}

// Validate checks c without I/O.
func (c Config) Validate() error {
	if len(c.Brokers) == 0 || c.Topic == "" {
		return errors.New("kafka: brokers and topic are required")
	}
	for _, b := range c.Brokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			return fmt.Errorf("kafka: broker %q: want host:port", b)
		}
	}
	switch c.SASL.Mechanism {
	case "":
		if c.SASL.Username != "" || c.SASL.PasswordEnv != "" {
			return errors.New("kafka: sasl credentials without a mechanism")
		}
	case "plain", "scram-sha-256", "scram-sha-512": // kafkasec.Mechanisms
		if c.SASL.Username == "" || !notify.ValidEnvName(c.SASL.PasswordEnv) {
			return errors.New("kafka: sasl needs username and password_env")
		}
		if c.SASL.Mechanism == "plain" && !c.TLS.Enabled {
			return errors.New("kafka: sasl plain sends the password in clear: enable tls")
		}
	default:
		return fmt.Errorf("kafka: sasl mechanism %q: want plain, scram-sha-256 or scram-sha-512", c.SASL.Mechanism)
	}
	for _, b := range c.Brokers {
		if errs := kafkasec.ValidateEventHubs("kafka", b, c.TLS.Enabled, c.SASL.Mechanism, c.SASL.Username); len(errs) > 0 {
			return errors.Join(errs...)
		}
	}
	return c.TLS.Validate()
}

// Notifier produces to the topic.
type Notifier struct {
	cl     *kgo.Client
	watch  *kafkasec.Watch
	topic  string
	format format.Func
}

// New builds the client (it connects lazily) with the TLS files and the
// SASL password from the environment.
func New(cfg Config, f format.Func) (*Notifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.ClientID == "" {
		cfg.ClientID = "vedette"
	}
	watch := kafkasec.NewWatch(cfg.Brokers, cfg.TLS.Enabled, cfg.SASL.Mechanism, cfg.SASL.Username, nil)
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ClientID(cfg.ClientID),
		kgo.DefaultProduceTopic(cfg.Topic),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.WithHooks(watch),
	}
	if cfg.SASL.Username == kafkasec.EventHubsUser || kafkasec.IsEventHubs(cfg.Brokers[0]) {
		// Event Hubs refuses snappy, lz4 and zstd batches, the client's
		// first choice; it takes gzip.
		opts = append(opts, kgo.ProducerBatchCompression(kgo.GzipCompression(), kgo.NoCompression()))
	}
	if cfg.TLS.Enabled {
		tc, err := cfg.TLS.Config()
		if err != nil {
			return nil, fmt.Errorf("kafka: %w", err)
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	if cfg.SASL.Mechanism != "" {
		m, err := mechanism(cfg.SASL)
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.SASL(m))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	return &Notifier{cl: cl, watch: watch, topic: cfg.Topic, format: f}, nil
}

func mechanism(s SASL) (sasl.Mechanism, error) {
	pass, err := notify.Secret(s.PasswordEnv)
	if err != nil {
		return nil, fmt.Errorf("kafka: sasl: %w", err)
	}
	if err := kafkasec.CheckConnectionString(s.Username, pass); err != nil {
		return nil, fmt.Errorf("kafka: %s: %w", s.PasswordEnv, err)
	}
	m, err := kafkasec.Mechanism(s.Mechanism, s.Username, pass)
	if err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	return m, nil
}

// Notify produces the batch and waits until every record is acknowledged.
func (n *Notifier) Notify(ctx context.Context, changes []event.Change) (bool, error) {
	recs := make([]*kgo.Record, 0, len(changes))
	for _, c := range changes {
		b, err := n.format(c)
		if err != nil {
			return false, fmt.Errorf("kafka: %w", err)
		}
		recs = append(recs, &kgo.Record{
			Key: []byte(c.Alert.ID), Value: b, Timestamp: c.At,
			Headers: []kgo.RecordHeader{
				{Key: "vedette-seq", Value: []byte(strconv.FormatInt(c.Seq, 10))},
				{Key: "vedette-kind", Value: []byte(c.Kind)},
			},
		})
	}
	// A refused login is retried by the client until ctx ends: stop at
	// the first refusal and say so (the batch stays in the outbox).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-n.watch.Refused():
			cancel()
		case <-ctx.Done():
		}
	}()
	if err := n.cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return !permanent(err), fmt.Errorf("produce to %s: %w", n.topic, n.watch.Explain(err))
	}
	return false, nil
}

// permanent reports errors no retry can fix: the record itself is refused.
func permanent(err error) bool {
	return errors.Is(err, kerr.MessageTooLarge) || errors.Is(err, kerr.RecordListTooLarge) ||
		errors.Is(err, kerr.InvalidRecord) || errors.Is(err, kerr.CorruptMessage)
}

// Close flushes nothing (ProduceSync already waited) and closes the client.
func (n *Notifier) Close() error {
	n.cl.Close()
	return nil
}
