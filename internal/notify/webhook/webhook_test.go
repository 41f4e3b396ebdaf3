package webhook

import (
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/format/formattest"
	"github.com/vedette/vedette/internal/format/ocsf"
	"github.com/vedette/vedette/internal/notify"
)

// The published test vector of the Standard Webhooks reference libraries
// (libraries/go/webhook_test.go, TestWebhookSign).
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorPayload   = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignVector(t *testing.T) {
	t.Parallel()
	key, err := DecodeSecret(vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := Sign(key, vectorID, vectorTimestamp, []byte(vectorPayload)); got != vectorSignature {
		t.Errorf("Sign = %s, want %s", got, vectorSignature)
	}
}

// The receiver's own verification accepts the vector and refuses it with
// one byte changed, so a pass below means something.
func TestReceiverVerifiesVector(t *testing.T) {
	t.Parallel()
	r := &receiver{secret: vectorSecret, now: func() time.Time { return time.Unix(vectorTimestamp+10, 0) }}
	h := http.Header{}
	h.Set("webhook-id", vectorID)
	h.Set("webhook-timestamp", fmt.Sprint(vectorTimestamp))
	h.Set("webhook-signature", "v1,bm90IGl0 "+vectorSignature)
	if err := r.verify(h, []byte(vectorPayload)); err != nil {
		t.Errorf("vector refused: %v", err)
	}
	if err := r.verify(h, []byte(`{"test": 2432232315}`)); err == nil {
		t.Error("tampered body accepted")
	}
	r.now = func() time.Time { return time.Unix(vectorTimestamp+301, 0) }
	if err := r.verify(h, []byte(vectorPayload)); err == nil {
		t.Error("stale timestamp accepted")
	}
}

// newServer starts an HTTPS receiver and returns its URL and the path of a
// CA file trusting it.
func newServer(t *testing.T, h http.Handler) (string, string) {
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL, ca
}

func newNotifier(t *testing.T, cfg Config) *Notifier {
	t.Helper()
	n, err := New(cfg, ocsf.Format, nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDeliversSignedFindings(t *testing.T) {
	t.Setenv("VEDETTE_TEST_WEBHOOK_SECRET", vectorSecret)
	r := &receiver{secret: vectorSecret, now: time.Now, bodies: map[string][]byte{}}
	url, ca := newServer(t, r)
	n := newNotifier(t, Config{URL: url + "/hooks/vedette", SecretEnv: "VEDETTE_TEST_WEBHOOK_SECRET", TLS: notify.TLS{CAFile: ca}})
	changes := formattest.Changes(t)
	if _, err := n.Notify(t.Context(), changes); err != nil {
		t.Fatal(err)
	}
	// A retry of the same changes is recognised by webhook-id.
	if _, err := n.Notify(t.Context(), changes[3:]); err != nil {
		t.Fatal(err)
	}
	if len(r.rejected) > 0 || r.requests != len(changes)+2 || len(r.order) != len(changes) {
		t.Fatalf("requests %d, distinct %d, rejected %v", r.requests, len(r.order), r.rejected)
	}
	for i, c := range changes {
		var f ocsf.Finding
		if err := json.Unmarshal(r.bodies[r.order[i]], &f); err != nil {
			t.Fatal(err)
		}
		if r.order[i] != MessageID(c) || f.FindingInfo.UID != c.Alert.ID || f.Metadata.Sequence != c.Seq {
			t.Errorf("request %d: id %s finding %s seq %d, want change %d of %s", i, r.order[i], f.FindingInfo.UID, f.Metadata.Sequence, c.Seq, c.Alert.ID)
		}
	}
}

func TestStatusHandling(t *testing.T) {
	t.Setenv("VEDETTE_TEST_WEBHOOK_SECRET", vectorSecret)
	cases := map[int]struct {
		retry      bool
		retryAfter time.Duration
	}{
		http.StatusInternalServerError: {true, 0},
		http.StatusBadGateway:          {true, 0},
		http.StatusTooManyRequests:     {true, 7 * time.Second},
		http.StatusBadRequest:          {false, 0},
		http.StatusGone:                {false, 0},
		http.StatusFound:               {false, 0}, // not followed
	}
	for code, want := range cases {
		r := &receiver{secret: vectorSecret, now: time.Now, bodies: map[string][]byte{}, status: func(int) int { return code }}
		url, ca := newServer(t, r)
		n := newNotifier(t, Config{URL: url, SecretEnv: "VEDETTE_TEST_WEBHOOK_SECRET", TLS: notify.TLS{CAFile: ca}})
		retry, err := n.Notify(t.Context(), formattest.Changes(t)[:2])
		var ra *notify.RetryAfter
		gotAfter := time.Duration(0)
		if errors.As(err, &ra) {
			gotAfter = ra.After
		}
		if err == nil || retry != want.retry || gotAfter != want.retryAfter || r.requests != 1 {
			t.Errorf("%d: retry=%v after=%v requests=%d err=%v, want retry=%v after=%v after one request",
				code, retry, gotAfter, r.requests, err, want.retry, want.retryAfter)
		}
	}
}

// An untrusted certificate is a retryable failure, never a silent skip.
func TestUntrustedCertificate(t *testing.T) {
	t.Setenv("VEDETTE_TEST_WEBHOOK_SECRET", vectorSecret)
	url, _ := newServer(t, &receiver{})
	n := newNotifier(t, Config{URL: url, SecretEnv: "VEDETTE_TEST_WEBHOOK_SECRET"})
	retry, err := n.Notify(t.Context(), formattest.Changes(t)[:1])
	if !retry || err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("retry=%v err=%v", retry, err)
	}
}

func TestChatTemplates(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"slack", "teams"} {
		body, err := loadTemplate(name, "")
		if err != nil {
			t.Fatal(err)
		}
		var all []byte
		for _, c := range formattest.Changes(t) {
			b, err := body(c)
			if err != nil {
				t.Fatalf("%s seq %d: %v", name, c.Seq, err)
			}
			all = append(all, formattest.Indent(t, b)...)
		}
		formattest.Golden(t, name+".json", all)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		cfg  Config
		want string
	}{
		"ok":            {Config{URL: "https://h/x", SecretEnv: "S"}, ""},
		"slack":         {Config{URL: "https://hooks.slack.com/services/x", Template: "slack"}, ""},
		"no url":        {Config{SecretEnv: "S"}, "url is required"},
		"ftp":           {Config{URL: "ftp://h/x", SecretEnv: "S"}, "want https"},
		"plain http":    {Config{URL: "http://soar.example.net/x", SecretEnv: "S"}, "findings go over https"},
		"loopback http": {Config{URL: "http://127.0.0.1:8080/x", SecretEnv: "S"}, ""},
		"no secret":     {Config{URL: "https://h/x"}, "secret_env is required"},
		"bad template":  {Config{URL: "https://h/x", Template: "discord"}, "template"},
		"header clash":  {Config{URL: "https://h/x", SecretEnv: "S", Headers: map[string]string{"Webhook-Id": "x"}}, "signature scheme"},
		"bad env name":  {Config{URL: "https://h/x", SecretEnv: "A=B"}, "not a variable"},
	}
	for name, tc := range cases {
		err := tc.cfg.Validate()
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", name, err, tc.want)
		}
	}
}
