// Package kafkatest starts an in-process Kafka (kfake) secured like Azure
// Event Hubs' Kafka endpoint: a TLS listener with a certificate of a
// throwaway CA, SASL PLAIN with the user "$ConnectionString" and a
// connection string as the password.
package kafkatest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"

	"github.com/vedette/vedette/internal/notify/notifytest"
)

// User is the SASL user name Event Hubs expects.
const User = "$ConnectionString"

// Hub is a running secured cluster.
type Hub struct {
	*kfake.Cluster
	// CAFile is the PEM file of the CA that signed the listener's
	// certificate (for 127.0.0.1 and localhost).
	CAFile string
	// ConnectionString is the password the cluster accepts: shaped like
	// an Event Hubs namespace's shared access connection string.
	ConnectionString string
}

// EventHubs starts a one-broker cluster with the topics, each with
// partitions partitions, secured like Event Hubs. It is closed at the end
// of the test. extra adds users, e.g. kfake.User("SCRAM-SHA-512", ...).
func EventHubs(t testing.TB, partitions int32, topics []string, extra ...kfake.Opt) *Hub {
	t.Helper()
	certs := notifytest.NewCerts(t, t.TempDir())
	pair, err := tls.LoadX509KeyPair(certs.Cert, certs.Key)
	if err != nil {
		t.Fatal(err)
	}
	h := &Hub{
		CAFile: certs.CA,
		ConnectionString: "Endpoint=sb://contoso-logs.servicebus.windows.net/;" +
			"SharedAccessKeyName=vedette-listen;SharedAccessKey=q1Vb0CVvZ6Yy3JZ8m9ZbqvQ2m3kXcJp7r8VQ0xWb1dE=",
	}
	opts := append([]kfake.Opt{
		kfake.NumBrokers(1), kfake.SeedTopics(partitions, topics...),
		kfake.TLS(&tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}),
		kfake.EnableSASL(), kfake.Superuser("PLAIN", User, h.ConnectionString),
	}, extra...)
	if h.Cluster, err = kfake.NewCluster(opts...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// ClientOpts are the options of a client that logs in like Event Hubs'
// clients do: TLS trusting the hub's CA, SASL PLAIN as $ConnectionString.
func (h *Hub) ClientOpts(t testing.TB) []kgo.Opt {
	t.Helper()
	pem, err := os.ReadFile(h.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	return []kgo.Opt{
		kgo.SeedBrokers(h.ListenAddrs()...),
		kgo.DialTLSConfig(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}),
		kgo.SASL(plain.Auth{User: User, Pass: h.ConnectionString}.AsMechanism()),
	}
}

// Produce writes values to topic, round-robin over its partitions, and
// waits for them to be acknowledged.
func (h *Hub) Produce(t testing.TB, topic string, values ...string) {
	t.Helper()
	cl, err := kgo.NewClient(append(h.ClientOpts(t), kgo.RecordPartitioner(kgo.RoundRobinPartitioner()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	recs := make([]*kgo.Record, len(values))
	for i, v := range values {
		recs[i] = &kgo.Record{Topic: topic, Value: []byte(v)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}
