package kafka

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/vedette/vedette/internal/kafkasec"
)

// Config configures the consumer. The zero Brokers means "not configured".
type Config struct {
	// Brokers are the bootstrap brokers, host:port. Event Hubs:
	// ["NAMESPACE.servicebus.windows.net:9093"].
	Brokers []string `yaml:"brokers"`
	// Topics to read. Event Hubs: the event hub names.
	Topics []string `yaml:"topics"`
	// Group is the consumer group whose committed offsets say where to
	// resume. Default "vedette". Run one `vedette serve` per group: the
	// baselines are local, so members splitting the partitions would each
	// see part of the activity.
	Group string `yaml:"group"`
	// ClientID names the client to the brokers. Default "vedette".
	ClientID string `yaml:"client_id"`
	// StartOffset is where a group with no committed offset starts:
	// "earliest" (default: what the hub still retains) or "latest".
	StartOffset string `yaml:"start_offset"`
	SASL        SASL   `yaml:"sasl"`
	TLS         TLS    `yaml:"tls"`
}

// SASL authenticates to the brokers. Event Hubs' Kafka endpoint takes
// mechanism plain, username "$ConnectionString" and the namespace's (or the
// hub's) connection string as the password.
type SASL struct {
	// Mechanism is "" (none), "plain", "scram-sha-256" or "scram-sha-512".
	Mechanism string `yaml:"mechanism"`
	Username  string `yaml:"username"`
	// Password, or PasswordEnv: the environment variable holding it, read
	// when the consumer starts (keeps the secret out of the file).
	Password    string `yaml:"password"`
	PasswordEnv string `yaml:"password_env"`
}

// TLS secures the connection to the brokers (required by Event Hubs).
type TLS struct {
	Enabled bool `yaml:"enabled"`
	// CAFile is a PEM bundle of the CAs to trust; empty: the system's.
	CAFile string `yaml:"ca_file"`
	// ServerName overrides the name checked in the broker's certificate.
	ServerName string `yaml:"server_name"`
}

// DefaultConfig returns the defaults; Brokers and Topics stay empty.
func DefaultConfig() Config {
	return Config{Group: "vedette", ClientID: "vedette", StartOffset: "earliest"}
}

// Configured reports whether a consumer is wanted.
func (c Config) Configured() bool { return len(c.Brokers) > 0 }

// Validate checks the configuration without I/O. Errors name the keys
// under where (e.g. "activity.kafka").
func (c Config) Validate(where string) error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: %s", where, key, fmt.Sprintf(format, args...)))
	}
	if len(c.Brokers) == 0 {
		bad("brokers", "needs at least one host:port")
	}
	for i, b := range c.Brokers {
		if err := hostPort(b); err != nil {
			bad(fmt.Sprintf("brokers[%d]", i), "%q: %v", b, err)
		}
	}
	if len(c.Topics) == 0 {
		bad("topics", "needs at least one topic")
	}
	for i, t := range c.Topics {
		if t == "" {
			bad(fmt.Sprintf("topics[%d]", i), "must not be empty")
		}
	}
	if c.Group == "" {
		bad("group", "must not be empty")
	}
	if c.StartOffset != "earliest" && c.StartOffset != "latest" {
		bad("start_offset", "%q is not one of earliest, latest", c.StartOffset)
	}
	errs = append(errs, c.SASL.validate(where+".sasl", c.TLS.Enabled)...)
	for _, b := range c.Brokers {
		errs = append(errs, kafkasec.ValidateEventHubs(where, b, c.TLS.Enabled, c.SASL.Mechanism, c.SASL.Username)...)
	}
	if c.TLS.ServerName != "" && !c.TLS.Enabled {
		bad("tls.server_name", "set without tls.enabled")
	}
	if c.TLS.CAFile != "" && !c.TLS.Enabled {
		bad("tls.ca_file", "set without tls.enabled")
	}
	return errors.Join(errs...)
}

func (s SASL) validate(where string, tls bool) []error {
	switch {
	case s.Mechanism == "":
		if s.Username != "" || s.Password != "" || s.PasswordEnv != "" {
			return []error{fmt.Errorf("%s.mechanism: credentials given without a mechanism (want plain)", where)}
		}
		return nil
	case !kafkasec.ValidMechanism(s.Mechanism):
		return []error{fmt.Errorf("%s.mechanism: %q is not one of %s", where, s.Mechanism, strings.Join(kafkasec.Mechanisms, ", "))}
	}
	var errs []error
	if s.Username == "" {
		errs = append(errs, fmt.Errorf("%s.username: must not be empty (Event Hubs: $ConnectionString)", where))
	}
	if (s.Password == "") == (s.PasswordEnv == "") {
		errs = append(errs, fmt.Errorf("%s: needs exactly one of password, password_env", where))
	}
	if s.PasswordEnv != "" && strings.ContainsAny(s.PasswordEnv, "= \t\n\x00") {
		errs = append(errs, fmt.Errorf("%s.password_env: %q cannot name an environment variable", where, s.PasswordEnv))
	}
	if s.Password != "" {
		if err := kafkasec.CheckConnectionString(s.Username, s.Password); err != nil {
			errs = append(errs, fmt.Errorf("%s.password: %w", where, err))
		}
	}
	if s.Mechanism == "plain" && !tls {
		errs = append(errs, fmt.Errorf("%s: plain sends the password in clear: enable tls", where))
	}
	return errs
}

func hostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return errors.New("want host:port")
	}
	if host == "" {
		return errors.New("missing host")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q is not in 1..65535", port)
	}
	return nil
}
