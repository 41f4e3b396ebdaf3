package kafka

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

const signIn = `{"time":"2026-10-01T09:00:00Z","category":"SignInLogs","tenantId":"t1","properties":{"id":"%s","userPrincipalName":"ada@contoso.com","ipAddress":"203.0.113.7","status":{"errorCode":0},"appDisplayName":"Office"}}`

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := DefaultConfig()
	ok.Brokers, ok.Topics = []string{"hub.servicebus.windows.net:9093"}, []string{"insights"}
	ok.SASL = SASL{Mechanism: "plain", Username: "$ConnectionString", Password: "Endpoint=sb://hub/;SharedAccessKeyName=k;SharedAccessKey=s"}
	ok.TLS.Enabled = true
	if err := ok.Validate("kafka"); err != nil {
		t.Fatalf("Event Hubs config: %v", err)
	}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"port range", func(c *Config) { c.Brokers = []string{"k:0"} }, `kafka.brokers[0]: "k:0": port "0" is not in 1..65535`},
		{"no host", func(c *Config) { c.Brokers = []string{":9093"} }, "missing host"},
		{"empty topic", func(c *Config) { c.Topics = []string{""} }, "kafka.topics[0]: must not be empty"},
		{"no tls", func(c *Config) { c.TLS.Enabled = false }, "enable tls"},
		{"no username", func(c *Config) { c.SASL.Username = "" }, "kafka.sasl.username: must not be empty"},
		{"credentials without mechanism", func(c *Config) { c.SASL.Mechanism = "" }, "credentials given without a mechanism"},
		{"unknown mechanism", func(c *Config) { c.SASL.Mechanism = "oauthbearer" }, `kafka.sasl.mechanism: "oauthbearer" is not one of plain, scram-sha-256, scram-sha-512`},
		{"event hubs port", func(c *Config) { c.Brokers = []string{"hub.servicebus.windows.net:9092"} }, "listens on port 9093"},
		{"event hubs scram", func(c *Config) { c.SASL.Mechanism = "scram-sha-512" }, "Event Hubs (hub.servicebus.windows.net:9093) takes mechanism plain"},
		{"not a connection string", func(c *Config) { c.SASL.Password = "s3cret" }, "is not an Event Hubs connection string"},
		{"both passwords", func(c *Config) { c.SASL.PasswordEnv = "EVENTHUB" }, "needs exactly one of password, password_env"},
		{"ca without tls", func(c *Config) { c.TLS = TLS{CAFile: "ca.pem"}; c.SASL = SASL{} }, "kafka.tls.ca_file: set without tls.enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := ok
			tt.edit(&c)
			if err := c.Validate("kafka"); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPollDecodesAndCommitsInOrder(t *testing.T) {
	t.Parallel()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "hub"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	values := []string{
		`{"records":[` + strings.ReplaceAll(signIn, "%s", "a") + `,` + strings.ReplaceAll(signIn, "%s", "b") + `]}`,
		strings.ReplaceAll(signIn, "%s", "c"),
		strings.ReplaceAll(signIn, "%s", "d") + "\n" + strings.ReplaceAll(signIn, "%s", "e") + "\n",
		`{"records":[{"nope":1}]}`,
	}
	prod, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for _, v := range values {
		if err := prod.ProduceSync(ctx, &kgo.Record{Topic: "hub", Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cfg := DefaultConfig()
	cfg.Brokers, cfg.Topics = c.ListenAddrs(), []string{"hub"}
	msgs := pollAll(ctx, t, cfg, len(values))
	var got [][]string
	for _, m := range msgs {
		var keys []string
		for _, e := range m.Events {
			keys = append(keys, e.Key+" "+e.Origin.Source)
		}
		got = append(got, keys)
	}
	want := [][]string{{"a kafka:hub/0@0", "b kafka:hub/0@0"}, {"c kafka:hub/0@1"}, {"d kafka:hub/0@2", "e kafka:hub/0@2"}, nil}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events by message (-want +got):\n%s", diff)
	}
	if len(msgs[3].Rejections) != 1 || msgs[3].Rejections[0].Source != "kafka:hub/0@3" || !msgs[3].CaughtUp {
		t.Errorf("last message: rejections %+v, caught up %v", msgs[3].Rejections, msgs[3].CaughtUp)
	}
}

// pollAll reads n messages with a fresh consumer, marks all but the second
// done, commits, and closes: only the first message's offset is committed,
// so a second consumer of the group starts at the second message.
func pollAll(ctx context.Context, t *testing.T, cfg Config, n int) []*Message {
	t.Helper()
	read := func(n int) []*Message {
		cons, err := New(cfg, Deps{})
		if err != nil {
			t.Fatal(err)
		}
		defer cons.Close()
		var msgs []*Message
		for len(msgs) < n {
			b, err := cons.Poll(ctx)
			if err != nil {
				t.Fatalf("poll after %d messages: %v", len(msgs), err)
			}
			msgs = append(msgs, b.Messages...)
		}
		for i, m := range msgs {
			if i != 1 {
				cons.Done(m)
			}
		}
		if err := cons.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		return msgs
	}
	first := read(n)
	again := read(n - 1)[0]
	if again.Offset != 1 {
		t.Errorf("the group resumed at offset %d, want 1 (message 1 was never done)", again.Offset)
	}
	return first
}
