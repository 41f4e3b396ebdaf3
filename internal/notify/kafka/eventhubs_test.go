package kafka

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vedette/vedette/internal/format/formattest"
	"github.com/vedette/vedette/internal/format/ocsf"
	"github.com/vedette/vedette/internal/kafkasec"
	"github.com/vedette/vedette/internal/notify"
	"github.com/vedette/vedette/internal/source/kafka/kafkatest"
)

// The output configured as docs/OUTPUTS.md says for Event Hubs (SASL
// PLAIN as $ConnectionString over TLS, the connection string in a
// variable) delivers to a listener secured the same way; a wrong
// connection string fails the batch within seconds, naming the broker and
// the mechanism, and leaves it to be retried.
func TestEventHubsOutput(t *testing.T) {
	hub := kafkatest.EventHubs(t, 2, []string{"vedette-findings"})
	cfg := Config{
		Brokers: hub.ListenAddrs(), Topic: "vedette-findings",
		TLS:  TLS{Enabled: true, TLS: notify.TLS{CAFile: hub.CAFile}},
		SASL: SASL{Mechanism: "plain", Username: kafkatest.User, PasswordEnv: "VEDETTE_TEST_EVENTHUB"},
	}
	changes := formattest.Changes(t)

	t.Setenv("VEDETTE_TEST_EVENTHUB", hub.ConnectionString)
	n, err := New(cfg, ocsf.Format)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if _, err := n.Notify(ctx, changes); err != nil {
		t.Fatal(err)
	}
	n.Close()
	consumer, err := kgo.NewClient(append(hub.ClientOpts(t), kgo.ConsumeTopics("vedette-findings"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	seen := map[string]bool{}
	for read := 0; read < len(changes); {
		fs := consumer.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("read %d of %d records: %v", read, len(changes), err)
		}
		for _, r := range fs.Records() {
			seen[string(r.Key)+"/"+header(r, "vedette-seq")] = true
			read++
		}
	}
	for _, c := range changes {
		if !seen[c.Alert.ID+"/"+itoa(c.Seq)] {
			t.Errorf("change %d of %s not read back", c.Seq, c.Alert.ID)
		}
	}

	t.Setenv("VEDETTE_TEST_EVENTHUB", strings.Replace(hub.ConnectionString, "SharedAccessKey=q", "SharedAccessKey=x", 1))
	bad, err := New(cfg, ocsf.Format)
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	start := time.Now()
	retry, err := bad.Notify(ctx, changes[:1])
	took := time.Since(start)
	t.Logf("wrong connection string: %v after %v", err, took.Round(time.Millisecond))
	if !errors.Is(err, kafkasec.ErrRefused) || !retry || took > 10*time.Second ||
		!strings.Contains(err.Error(), "broker "+hub.ListenAddrs()[0]+` refused SASL PLAIN login as "$ConnectionString"`) {
		t.Errorf("Notify = %v, %v after %v: want a retryable refusal naming the broker and mechanism, within seconds", retry, err, took)
	}
}
