package kafkasec

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const connString = "Endpoint=sb://contoso-logs.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=c2VjcmV0"

func TestCheckConnectionString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		user, pass, want string
	}{
		{EventHubsUser, connString, ""},
		{EventHubsUser, connString + ";EntityPath=insights-logs-signinlogs", ""},
		{EventHubsUser, "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sr=x&sig=y&se=1&skn=k", ""},
		{EventHubsUser, " endpoint=SB://ns.servicebus.windows.net/ ; sharedaccesskeyname=k ; sharedaccesskey=v \n", ""},
		{EventHubsUser, "c2VjcmV0", "lacks Endpoint=sb://NAMESPACE.servicebus.windows.net/; SharedAccessKeyName and SharedAccessKey"},
		{EventHubsUser, "Endpoint=https://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v", "lacks Endpoint=sb://"},
		{EventHubsUser, "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k", "lacks SharedAccessKeyName and SharedAccessKey"},
		{"vedette", "anything", ""},
	}
	for _, tt := range tests {
		err := CheckConnectionString(tt.user, tt.pass)
		if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.pass, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "c2VjcmV0") {
			t.Errorf("the error quotes the secret: %v", err)
		}
	}
}

func TestValidateEventHubs(t *testing.T) {
	t.Parallel()
	const ns = "contoso-logs.servicebus.windows.net:9093"
	tests := []struct {
		broker    string
		tls       bool
		mech, usr string
		want      string
	}{
		{ns, true, "plain", EventHubsUser, ""},
		{"kafka.example.net:9092", false, "", "", ""},
		{"Contoso.ServiceBus.Windows.NET.:9093", false, "plain", EventHubsUser, "k.tls.enabled: Event Hubs (Contoso.ServiceBus.Windows.NET.:9093) accepts TLS connections only"},
		{"gov.servicebus.usgovcloudapi.net:443", true, "plain", EventHubsUser, "listens on port 9093"},
		{ns, true, "scram-sha-256", "vedette", "k.sasl: Event Hubs (" + ns + ") takes mechanism plain, username $ConnectionString"},
	}
	for _, tt := range tests {
		err := errors.Join(ValidateEventHubs("k", tt.broker, tt.tls, tt.mech, tt.usr)...)
		if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.broker, err, tt.want)
		}
	}
}

func TestMechanism(t *testing.T) {
	t.Parallel()
	for _, name := range Mechanisms {
		m, err := Mechanism(name, "u", "p")
		if err != nil || !strings.EqualFold(m.Name(), name) {
			t.Errorf("%s: %v %v", name, m, err)
		}
	}
	if _, err := Mechanism("gssapi", "u", "p"); err == nil {
		t.Error("gssapi accepted")
	}
}

// Explain's verdicts on the errors the client returns; the connection
// tests in internal/source/kafka and internal/notify/kafka produce them
// from a real TLS and SASL listener.
func TestExplain(t *testing.T) {
	t.Parallel()
	seeds := []string{"ns.servicebus.windows.net:9093"}
	tests := []struct {
		name    string
		err     error
		refused bool
		want    string
	}{
		{"error code", fmt.Errorf("produce: %w", kerr.SaslAuthenticationFailed), true,
			`broker ns.servicebus.windows.net:9093 refused SASL PLAIN login as "$ConnectionString"`},
		{"first read", &kgo.ErrFirstReadEOF{}, true, "closed the connection at once (TLS, SASL PLAIN as \"$ConnectionString\")"},
		{"not TLS", fmt.Errorf("dial: %w", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), true, "does not speak TLS"},
		{"unknown CA", fmt.Errorf("dial: %w", x509.UnknownAuthorityError{}), true, "TLS certificate is not trusted"},
		{"unreachable", errors.New("dial tcp: connection refused"), false, "broker ns.servicebus.windows.net:9093 (TLS, SASL PLAIN as \"$ConnectionString\"): dial tcp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWatch(seeds, true, "plain", EventHubsUser, nil)
			got := w.Explain(tt.err)
			if errors.Is(got, ErrRefused) != tt.refused || !strings.Contains(got.Error(), tt.want) || !errors.Is(got, tt.err) {
				t.Errorf("Explain = %v (refused %v), want %q, refused %v", got, errors.Is(got, ErrRefused), tt.want, tt.refused)
			}
		})
	}
}

// A broker closing the connection during the SASL exchange is a refusal
// of that broker; a later successful login clears it.
func TestWatchSeesClosedLogin(t *testing.T) {
	t.Parallel()
	w := NewWatch([]string{"seed:9093"}, true, "plain", EventHubsUser, nil)
	refused := w.Refused()
	meta := kgo.BrokerMetadata{Host: "10.0.0.7", Port: 9093}
	w.OnBrokerRead(meta, int16(kmsg.Metadata), 0, 0, 0, io.EOF) // not a login
	select {
	case <-refused:
		t.Fatal("a failed metadata read counted as a refused login")
	default:
	}
	w.OnBrokerRead(meta, int16(kmsg.SASLAuthenticate), 0, 0, 0, io.EOF)
	select {
	case <-refused:
	case <-time.After(time.Second):
		t.Fatal("the refused login was not signalled")
	}
	if err := w.Explain(io.ErrUnexpectedEOF); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "broker 10.0.0.7:9093 refused SASL PLAIN") {
		t.Errorf("Explain = %v", err)
	}
	w.OnBrokerRead(meta, int16(kmsg.SASLAuthenticate), 0, 0, 0, nil)
	if err := w.Explain(io.ErrUnexpectedEOF); errors.Is(err, ErrRefused) {
		t.Errorf("after a good login, Explain = %v", err)
	}
}
