package kafka

import (
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ClientOptions are the connection options of cfg (brokers, client ID,
// TLS, SASL and a logger), for other clients of the same cluster: the
// scale-out roles' producers and group consumers of the internal topics.
func ClientOptions(cfg Config, log *slog.Logger) ([]kgo.Opt, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts := []kgo.Opt{kgo.SeedBrokers(cfg.Brokers...), kgo.ClientID(cfg.ClientID), kgo.WithLogger(kgoLogger{log})}
	sec, _, err := security(cfg, log) // the watch logs refused connections through its hook
	if err != nil {
		return nil, err
	}
	return append(opts, sec...), nil
}
