package kafka

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/vedette/vedette/internal/kafkasec"
	"github.com/vedette/vedette/internal/source/kafka/kafkatest"
)

// eventHubsConfig is the README's Event Hubs configuration pointed at hub:
// SASL PLAIN as $ConnectionString over TLS, the connection string read
// from an environment variable, the hub's CA trusted by file.
func eventHubsConfig(t *testing.T, hub *kafkatest.Hub, topic string) Config {
	t.Setenv("VEDETTE_TEST_EVENTHUB", hub.ConnectionString)
	cfg := DefaultConfig()
	cfg.Brokers, cfg.Topics = hub.ListenAddrs(), []string{topic}
	cfg.SASL = SASL{Mechanism: "plain", Username: kafkatest.User, PasswordEnv: "VEDETTE_TEST_EVENTHUB"}
	cfg.TLS = TLS{Enabled: true, CAFile: hub.CAFile}
	return cfg
}

// The consumer reads sign-ins over TLS with SASL PLAIN as Event Hubs
// takes them, and SCRAM-SHA-512 for a Kafka that asks for it.
func TestConsumesOverSASLAndTLS(t *testing.T) {
	hub := kafkatest.EventHubs(t, 1, []string{"insights-logs-signinlogs"},
		kfake.User("SCRAM-SHA-512", "vedette", "scram-s3cret"))
	hub.Produce(t, "insights-logs-signinlogs",
		`{"records":[`+strings.ReplaceAll(signIn, "%s", "a")+`,`+strings.ReplaceAll(signIn, "%s", "b")+`]}`,
		strings.ReplaceAll(signIn, "%s", "c"))
	plain := eventHubsConfig(t, hub, "insights-logs-signinlogs")
	scram := plain
	scram.SASL = SASL{Mechanism: "scram-sha-512", Username: "vedette", Password: "scram-s3cret"}
	scram.Group = "scram"
	for name, cfg := range map[string]Config{"plain": plain, "scram-sha-512": scram} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			cons, err := New(cfg, Deps{})
			if err != nil {
				t.Fatal(err)
			}
			defer cons.Close()
			if err := cons.Check(ctx, cfg.Topics); err != nil {
				t.Fatalf("Check: %v", err)
			}
			var keys []string
			for len(keys) < 3 {
				b, err := cons.Poll(ctx)
				if err != nil {
					t.Fatalf("poll after %d events: %v", len(keys), err)
				}
				for _, m := range b.Messages {
					for _, e := range m.Events {
						keys = append(keys, e.Key)
					}
				}
			}
			if strings.Join(keys, ",") != "a,b,c" {
				t.Errorf("events %v, want a,b,c", keys)
			}
		})
	}
}

// What a misconfiguration gives: an error at Check within seconds, naming
// the broker, the mechanism or the TLS problem, never a silent retry
// until the deadline.
func TestRefusedConnectionsAreExplained(t *testing.T) {
	hub := kafkatest.EventHubs(t, 1, []string{"hub"})
	broker := hub.ListenAddrs()[0]
	good := eventHubsConfig(t, hub, "hub")
	tests := []struct {
		name string
		edit func(*Config)
		want []string
	}{
		{"wrong connection string", func(c *Config) {
			c.SASL.PasswordEnv, c.SASL.Password = "", strings.Replace(hub.ConnectionString, "SharedAccessKey=q", "SharedAccessKey=x", 1)
		}, []string{"broker " + broker, "refused SASL PLAIN login", `"$ConnectionString"`}},
		{"plaintext against the TLS listener", func(c *Config) { c.TLS = TLS{}; c.SASL = SASL{} },
			[]string{"broker " + broker, "closed the connection", "plaintext, no SASL"}},
		{"CA not trusted", func(c *Config) { c.TLS.CAFile = "" },
			[]string{"broker " + broker, "TLS certificate is not trusted"}},
		{"server name mismatch", func(c *Config) { c.TLS.ServerName = "contoso-logs.servicebus.windows.net" },
			[]string{"broker " + broker, "TLS certificate is not trusted", "contoso-logs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.edit(&cfg)
			cons, err := New(cfg, Deps{})
			if err != nil {
				t.Fatal(err)
			}
			defer cons.Close()
			start := time.Now()
			err = cons.Check(t.Context(), cfg.Topics)
			took := time.Since(start)
			t.Logf("%v after %v", err, took.Round(time.Millisecond))
			if !errors.Is(err, kafkasec.ErrRefused) {
				t.Fatalf("Check = %v, want a refusal", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if took > 10*time.Second {
				t.Errorf("the refusal took %v to surface", took)
			}
		})
	}
}

// A password that is not a connection string is refused before any
// connection, without quoting it.
func TestConnectionStringShape(t *testing.T) {
	hub := kafkatest.EventHubs(t, 1, []string{"hub"})
	cfg := eventHubsConfig(t, hub, "hub")
	t.Setenv("VEDETTE_TEST_EVENTHUB", "q1Vb0CVvZ6Yy3JZ8m9ZbqvQ2m3kX")
	_, err := New(cfg, Deps{})
	if err == nil || !strings.Contains(err.Error(), "VEDETTE_TEST_EVENTHUB: sasl: the password of user $ConnectionString is not an Event Hubs connection string") ||
		strings.Contains(err.Error(), "q1Vb0") {
		t.Errorf("New = %v", err)
	}
	cfg.SASL.PasswordEnv, cfg.SASL.Password = "", "Endpoint=sb://contoso-logs.servicebus.windows.net/;SharedAccessKeyName=listen"
	if err := cfg.Validate("activity.kafka"); err == nil || !strings.Contains(err.Error(), "activity.kafka.sasl.password: sasl: the password of user $ConnectionString is not an Event Hubs connection string: it lacks SharedAccessKeyName and SharedAccessKey") {
		t.Errorf("Validate = %v", err)
	}
}
