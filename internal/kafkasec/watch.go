package kafkasec

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// logEvery bounds how often a refusal that keeps happening is logged.
const logEvery = time.Minute

// Watch is a kgo hook (pass it with kgo.WithHooks) that notices a broker
// closing the connection in the middle of the SASL exchange, the way a
// broker refuses a password without an error code (kfake does; Kafka and
// Event Hubs answer SASL_AUTHENTICATION_FAILED, which the requests then
// return). Explain turns a client error into one that says what to fix.
type Watch struct {
	mechanism, user string
	tls             bool
	seeds           []string
	log             *slog.Logger

	mu      sync.Mutex
	refused string        // the broker that last refused the login, host:port
	cause   error         // and how
	signal  chan struct{} // closed at the next refusal
	logged  time.Time
}

// NewWatch watches a client of the seed brokers that logs in with
// mechanism ("" for none) as user, over TLS or not. Refusals are logged
// on log (at most once a minute) when it is not nil.
func NewWatch(seeds []string, tls bool, mechanism, user string, log *slog.Logger) *Watch {
	return &Watch{mechanism: mechanism, user: user, tls: tls, seeds: seeds, log: log, signal: make(chan struct{})}
}

var _ kgo.HookBrokerRead = (*Watch)(nil)

// OnBrokerRead implements kgo.HookBrokerRead.
func (w *Watch) OnBrokerRead(meta kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if key != int16(kmsg.SASLHandshake) && key != int16(kmsg.SASLAuthenticate) {
		return
	}
	addr := net.JoinHostPort(meta.Host, strconv.Itoa(int(meta.Port)))
	w.mu.Lock()
	if err == nil { // a refusal by error code is returned by the request
		w.refused, w.cause = "", nil
		w.mu.Unlock()
		return
	}
	w.refused, w.cause = addr, err
	close(w.signal)
	w.signal = make(chan struct{})
	logNow := w.log != nil && time.Since(w.logged) >= logEvery
	if logNow {
		w.logged = time.Now()
	}
	w.mu.Unlock()
	if logNow {
		w.log.Error("kafka login refused", "err", w.refusal(addr, err))
	}
}

// Refused returns a channel closed at the next refusal.
func (w *Watch) Refused() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.signal
}

// Explain wraps err, returned by the client, with what went wrong and
// where. Refused logins and TLS mismatches are marked ErrRefused.
func (w *Watch) Explain(err error) error {
	if err == nil {
		return nil
	}
	w.mu.Lock()
	addr, cause := w.refused, w.cause
	w.mu.Unlock()
	brokers := strings.Join(w.seeds, ",")
	var eof *kgo.ErrFirstReadEOF
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	var header tls.RecordHeaderError
	switch {
	case errors.Is(err, kerr.SaslAuthenticationFailed) || errors.Is(err, kerr.UnsupportedSaslMechanism):
		return w.refusal(brokers, err)
	case addr != "":
		return w.refusal(addr, cause)
	case errors.As(err, &eof):
		return refused(fmt.Sprintf("kafka: broker %s closed the connection at once (%s)", brokers, w.describe()), err)
	case errors.As(err, &header):
		return refused(fmt.Sprintf("kafka: broker %s does not speak TLS (tls.enabled is true)", brokers), err)
	case errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &verify):
		return refused(fmt.Sprintf("kafka: broker %s: its TLS certificate is not trusted (tls.ca_file, tls.server_name)", brokers), err)
	}
	return fmt.Errorf("kafka: broker %s (%s): %w", brokers, w.describe(), err)
}

func (w *Watch) refusal(addr string, err error) error {
	hint := "wrong user or password?"
	if w.user == EventHubsUser {
		hint = "wrong connection string? It must be of this namespace or hub, with Listen (activity) or Send (output) rights"
	}
	return refused(fmt.Sprintf("kafka: broker %s refused SASL %s login as %q (%s)", addr, strings.ToUpper(w.mechanism), w.user, hint), err)
}

// refusedError is an error that is ErrRefused and wraps the client's.
type refusedError struct {
	msg string
	err error
}

func refused(msg string, err error) error { return &refusedError{msg, err} }

func (e *refusedError) Error() string   { return e.msg + ": " + e.err.Error() }
func (e *refusedError) Unwrap() []error { return []error{ErrRefused, e.err} }

// describe names the connection's settings: TLS or plaintext, and SASL.
func (w *Watch) describe() string {
	s := "plaintext"
	if w.tls {
		s = "TLS"
	}
	if w.mechanism == "" {
		return s + ", no SASL"
	}
	return fmt.Sprintf("%s, SASL %s as %q", s, strings.ToUpper(w.mechanism), w.user)
}
