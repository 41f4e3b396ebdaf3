// Package webhook delivers findings as HTTPS POSTs signed per the Standard
// Webhooks specification (https://www.standardwebhooks.com): headers
// webhook-id (alert ID and change sequence, the same on every retry, so a
// receiver drops duplicates by it), webhook-timestamp (Unix seconds of the
// attempt) and webhook-signature "v1,<base64 HMAC-SHA256 of
// id.timestamp.body>" keyed by the whsec_ secret. A body template turns the
// finding into a Slack or Microsoft Teams message instead.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
	"github.com/vedette/vedette/internal/notify"
)

// Config of a webhook output.
type Config struct {
	URL string `yaml:"url"`
	// SecretEnv names the environment variable holding the signing secret
	// ("whsec_" + base64, or raw base64). Required unless a chat template is
	// used: Slack and Teams do not verify signatures.
	SecretEnv string `yaml:"secret_env"`
	// Template renders the body: "" (the output's format), "slack",
	// "teams", or a file with a Go text/template (TemplateFile).
	Template     string            `yaml:"template"`
	TemplateFile string            `yaml:"template_file"`
	Headers      map[string]string `yaml:"headers"`
	TLS          notify.TLS        `yaml:"tls"`
}

// Validate checks c without I/O.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case c.URL == "":
		return fmt.Errorf("webhook: %w", notify.ErrNoURL)
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return fmt.Errorf("webhook: url %q: want https://host/...", c.URL)
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return fmt.Errorf("webhook: url %q: findings go over https (plain http only to loopback)", c.URL)
	}
	switch c.Template {
	case "", "slack", "teams":
	default:
		return fmt.Errorf("webhook: template %q: want slack or teams (or template_file)", c.Template)
	}
	if c.Template != "" && c.TemplateFile != "" {
		return errors.New("webhook: template and template_file exclude each other")
	}
	if c.SecretEnv == "" && c.Template == "" && c.TemplateFile == "" {
		return errors.New("webhook: secret_env is required (Standard Webhooks signatures)")
	}
	if c.SecretEnv != "" && !notify.ValidEnvName(c.SecretEnv) {
		return fmt.Errorf("webhook: secret_env %q is not a variable name", c.SecretEnv)
	}
	for k := range c.Headers {
		if strings.HasPrefix(strings.ToLower(k), "webhook-") {
			return fmt.Errorf("webhook: header %s: webhook-* headers are set by the signature scheme", k)
		}
	}
	return c.TLS.Validate()
}

// loopback reports whether host names this machine (no I/O: names other
// than localhost are not resolved).
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// Notifier posts one request per change, in order.
type Notifier struct {
	cfg    Config
	url    string
	secret []byte
	body   func(event.Change) ([]byte, error)
	client *http.Client
	now    func() time.Time
}

// New reads the secret from the environment and the template file, and
// builds the client. now is the clock of webhook-timestamp; nil is time.Now.
func New(cfg Config, f format.Func, now func() time.Time) (*Notifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	n := &Notifier{cfg: cfg, url: cfg.URL, body: f, now: now}
	if cfg.SecretEnv != "" {
		s, err := notify.Secret(cfg.SecretEnv)
		if err != nil {
			return nil, fmt.Errorf("webhook: secret: %w", err)
		}
		if n.secret, err = DecodeSecret(s); err != nil {
			return nil, fmt.Errorf("webhook: secret in %s: %w", cfg.SecretEnv, err)
		}
	}
	if cfg.Template != "" || cfg.TemplateFile != "" {
		t, err := loadTemplate(cfg.Template, cfg.TemplateFile)
		if err != nil {
			return nil, err
		}
		n.body = t
	}
	var err error
	if n.client, err = notify.HTTPClient(cfg.TLS); err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	return n, nil
}

// DecodeSecret decodes a Standard Webhooks symmetric secret: base64, with
// or without the "whsec_" prefix.
func DecodeSecret(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	if len(key) < 24 {
		return nil, fmt.Errorf("%d bytes, want at least 24", len(key))
	}
	return key, nil
}

// Sign returns the webhook-signature value of a message.
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// MessageID is the webhook-id of a change: stable across retries, unique
// per change, without the '.' the signed content uses as a separator.
func MessageID(c event.Change) string { return c.Alert.ID + "-" + strconv.FormatInt(c.Seq, 10) }

// Notify posts each change; it stops at the first failure, and the loop
// retries from there (receivers drop repeats by webhook-id).
func (n *Notifier) Notify(ctx context.Context, changes []event.Change) (bool, error) {
	for _, c := range changes {
		if retry, err := n.post(ctx, c); err != nil {
			return retry, err
		}
	}
	return false, nil
}

func (n *Notifier) post(ctx context.Context, c event.Change) (bool, error) {
	body, err := n.body(c)
	if err != nil {
		return false, fmt.Errorf("webhook: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vedette")
	for k, v := range n.cfg.Headers {
		req.Header.Set(k, v)
	}
	id, ts := MessageID(c), n.now().Unix()
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	if n.secret != nil {
		req.Header.Set("webhook-signature", Sign(n.secret, id, ts, body))
	}
	retry, err := notify.Do(n.client, req)
	if err != nil {
		return retry, fmt.Errorf("webhook: %w", err)
	}
	return false, nil
}
