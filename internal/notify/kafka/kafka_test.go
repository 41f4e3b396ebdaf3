package kafka

import (
	"context"
	"crypto/tls"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vedette/vedette/internal/format/formattest"
	"github.com/vedette/vedette/internal/format/ocsf"
	"github.com/vedette/vedette/internal/kafkasec"
	"github.com/vedette/vedette/internal/notify"
	"github.com/vedette/vedette/internal/notify/notifytest"
)

// The findings are read back from an in-process Kafka (kfake) by a
// consumer: keyed by alert ID, all changes of one alert in one partition in
// order, with the sequence header.
func TestProducesKeyedRecords(t *testing.T) {
	t.Parallel()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "vedette-findings"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	n, err := New(Config{Brokers: cluster.ListenAddrs(), Topic: "vedette-findings"}, ocsf.Format)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	changes := formattest.Changes(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if _, err := n.Notify(ctx, changes); err != nil {
		t.Fatal(err)
	}
	consumer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics("vedette-findings"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	var recs []*kgo.Record
	for len(recs) < len(changes) {
		fs := consumer.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("read %d of %d records: %v", len(recs), len(changes), err)
		}
		recs = append(recs, fs.Records()...)
	}
	partitionOf := map[string]int32{}
	lastSeq := map[string]int64{}
	seen := map[string]bool{}
	for _, r := range recs {
		key := string(r.Key)
		seq, _ := strconv.ParseInt(header(r, "vedette-seq"), 10, 64)
		if p, ok := partitionOf[key]; ok && p != r.Partition {
			t.Errorf("alert %s in partitions %d and %d", key, p, r.Partition)
		}
		partitionOf[key] = r.Partition
		if lastSeq[key] > seq {
			t.Errorf("alert %s: seq %d after %d", key, seq, lastSeq[key])
		}
		lastSeq[key] = seq
		if !strings.Contains(string(r.Value), `"uid":"`+key+`"`) {
			t.Errorf("record keyed %s does not carry that finding", key)
		}
		seen[key+"/"+itoa(seq)] = true
	}
	for _, c := range changes {
		if !seen[c.Alert.ID+"/"+itoa(c.Seq)] {
			t.Errorf("change %d of %s not read back", c.Seq, c.Alert.ID)
		}
	}
}

func header(r *kgo.Record, k string) string {
	for _, h := range r.Headers {
		if h.Key == k {
			return string(h.Value)
		}
	}
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		cfg  Config
		want string
	}{
		"ok":          {Config{Brokers: []string{"127.0.0.1:9092"}, Topic: "t"}, ""},
		"no topic":    {Config{Brokers: []string{"127.0.0.1:9092"}}, "topic"},
		"bad broker":  {Config{Brokers: []string{"kafka"}, Topic: "t"}, "host:port"},
		"plain clear": {Config{Brokers: []string{"h:1"}, Topic: "t", SASL: SASL{Mechanism: "plain", Username: "u", PasswordEnv: "P"}}, "enable tls"},
		"scram":       {Config{Brokers: []string{"h:1"}, Topic: "t", SASL: SASL{Mechanism: "scram-sha-512", Username: "u", PasswordEnv: "P"}}, ""},
		"no password": {Config{Brokers: []string{"h:1"}, Topic: "t", SASL: SASL{Mechanism: "scram-sha-256", Username: "u"}}, "password_env"},
	}
	for name, tc := range cases {
		err := tc.cfg.Validate()
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", name, err, tc.want)
		}
	}
}

// Over TLS with SCRAM-SHA-512, the password read from the environment:
// the broker acknowledges the batch; a wrong password is refused.
func TestTLSAndSCRAM(t *testing.T) {
	certs := notifytest.NewCerts(t, t.TempDir())
	pair, err := tls.LoadX509KeyPair(certs.Cert, certs.Key)
	if err != nil {
		t.Fatal(err)
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "findings"),
		kfake.TLS(&tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-512", "vedette", "s3cret-pass"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	cfg := Config{
		Brokers: cluster.ListenAddrs(), Topic: "findings",
		TLS:  TLS{Enabled: true, TLS: notify.TLS{CAFile: certs.CA}},
		SASL: SASL{Mechanism: "scram-sha-512", Username: "vedette", PasswordEnv: "VEDETTE_TEST_KAFKA_PASSWORD"},
	}
	for _, tc := range []struct {
		password string
		ok       bool
	}{{"s3cret-pass", true}, {"wrong", false}} {
		t.Setenv("VEDETTE_TEST_KAFKA_PASSWORD", tc.password)
		n, err := New(cfg, ocsf.Format)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		_, err = n.Notify(ctx, formattest.Changes(t)[:2])
		t.Logf("password %q: %v", tc.password, err)
		cancel()
		n.Close()
		if (err == nil) != tc.ok || !tc.ok && (!errors.Is(err, kafkasec.ErrRefused) || !strings.Contains(err.Error(), "SASL SCRAM-SHA-512 login")) {
			t.Errorf("password %q: err %v", tc.password, err)
		}
	}
}
