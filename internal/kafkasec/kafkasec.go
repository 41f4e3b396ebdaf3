// Package kafkasec holds what the Kafka consumer (internal/source/kafka)
// and the Kafka output (internal/notify/kafka) share about securing a
// connection: the SASL mechanisms, the shape of an Azure Event Hubs
// connection string, and a watch on the connections that turns a refused
// login or a TLS mismatch into an error naming the broker and the
// mechanism. Left alone, the client retries those in silence until the
// caller's deadline.
package kafkasec

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Mechanisms are the SASL mechanisms understood, as written in the
// configuration.
var Mechanisms = []string{"plain", "scram-sha-256", "scram-sha-512"}

// ValidMechanism reports whether name is one of Mechanisms.
func ValidMechanism(name string) bool {
	for _, m := range Mechanisms {
		if m == name {
			return true
		}
	}
	return false
}

// Mechanism returns the SASL mechanism name (one of Mechanisms) for user
// and pass.
func Mechanism(name, user, pass string) (sasl.Mechanism, error) {
	switch name {
	case "plain":
		return plain.Auth{User: user, Pass: pass}.AsMechanism(), nil
	case "scram-sha-256":
		return scram.Auth{User: user, Pass: pass}.AsSha256Mechanism(), nil
	case "scram-sha-512":
		return scram.Auth{User: user, Pass: pass}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("sasl mechanism %q: want one of %s", name, strings.Join(Mechanisms, ", "))
}

// EventHubsUser is the SASL PLAIN user of Azure Event Hubs' Kafka
// endpoint; the password is then a connection string.
const EventHubsUser = "$ConnectionString"

// eventHubsDomains are the suffixes of Event Hubs namespaces, public and
// sovereign clouds.
var eventHubsDomains = []string{".servicebus.windows.net", ".servicebus.chinacloudapi.cn", ".servicebus.usgovcloudapi.net"}

// IsEventHubs reports whether broker (host:port) is an Event Hubs
// namespace's Kafka endpoint.
func IsEventHubs(broker string) bool {
	host, _, err := net.SplitHostPort(broker)
	if err != nil {
		host = broker
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range eventHubsDomains {
		if strings.HasSuffix(host, d) {
			return true
		}
	}
	return false
}

// ValidateEventHubs checks the rules of Event Hubs' Kafka endpoint for a
// broker of an Event Hubs namespace: port 9093, TLS, SASL PLAIN as
// $ConnectionString. where prefixes the keys named in the errors.
func ValidateEventHubs(where, broker string, tls bool, mechanism, user string) []error {
	if !IsEventHubs(broker) {
		return nil
	}
	var errs []error
	if _, port, _ := net.SplitHostPort(broker); port != "9093" {
		errs = append(errs, fmt.Errorf("%s.brokers: %s: Event Hubs' Kafka endpoint listens on port 9093", where, broker))
	}
	if !tls {
		errs = append(errs, fmt.Errorf("%s.tls.enabled: Event Hubs (%s) accepts TLS connections only", where, broker))
	}
	if mechanism != "plain" || user != EventHubsUser {
		errs = append(errs, fmt.Errorf("%s.sasl: Event Hubs (%s) takes mechanism plain, username %s and the connection string as password", where, broker, EventHubsUser))
	}
	return errs
}

// CheckConnectionString checks that pass, the password of user
// $ConnectionString, has the shape of an Event Hubs shared access
// connection string. The error never quotes the secret.
func CheckConnectionString(user, pass string) error {
	if user != EventHubsUser {
		return nil
	}
	fields := map[string]string{}
	for _, part := range strings.Split(strings.TrimSpace(pass), ";") {
		k, v, ok := strings.Cut(part, "=")
		if ok {
			fields[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	var missing []string
	if !strings.HasPrefix(strings.ToLower(fields["endpoint"]), "sb://") {
		missing = append(missing, "Endpoint=sb://NAMESPACE.servicebus.windows.net/")
	}
	if fields["sharedaccesssignature"] == "" && (fields["sharedaccesskeyname"] == "" || fields["sharedaccesskey"] == "") {
		missing = append(missing, "SharedAccessKeyName and SharedAccessKey (or SharedAccessSignature)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("sasl: the password of user %s is not an Event Hubs connection string: it lacks %s",
			EventHubsUser, strings.Join(missing, "; "))
	}
	return nil
}

// ErrRefused marks an error no retry fixes: the broker refused the
// credentials, or the two ends disagree on TLS. Test with errors.Is.
var ErrRefused = errors.New("kafka: connection refused by its settings")
