// Package splunk delivers findings to a Splunk HTTP Event Collector: one
// POST per batch to /services/collector/event with "Authorization: Splunk
// <token>", the body a sequence of event objects ({"time", "host",
// "source", "sourcetype", "index", "event"}), each event the output's format
// (a JSON object, or a string for CEF).
package splunk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
	"github.com/vedette/vedette/internal/notify"
)

// Config of a Splunk HEC output.
type Config struct {
	// URL of the collector, e.g. https://splunk.example:8088; the event
	// endpoint path is appended when the URL has no path.
	URL        string     `yaml:"url"`
	TokenEnv   string     `yaml:"token_env"` // environment variable holding the HEC token
	Index      string     `yaml:"index"`
	Source     string     `yaml:"source"`     // default "vedette"
	Sourcetype string     `yaml:"sourcetype"` // default "vedette:finding"
	Host       string     `yaml:"host"`
	TLS        notify.TLS `yaml:"tls"`
}

// Validate checks c without I/O.
func (c Config) Validate() error {
	if c.URL == "" {
		return fmt.Errorf("splunk: %w", notify.ErrNoURL)
	}
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("splunk: url %q: want http(s)://host:port", c.URL)
	}
	if !notify.ValidEnvName(c.TokenEnv) {
		return errors.New("splunk: token_env names the variable holding the HEC token")
	}
	return c.TLS.Validate()
}

// Notifier posts batches to the collector.
type Notifier struct {
	cfg    Config
	url    string
	auth   string
	format format.Func
	client *http.Client
}

// New reads the token from the environment and builds the client.
func New(cfg Config, f format.Func) (*Notifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	token, err := notify.Secret(cfg.TokenEnv)
	if err != nil {
		return nil, fmt.Errorf("splunk: token: %w", err)
	}
	if cfg.Source == "" {
		cfg.Source = "vedette"
	}
	if cfg.Sourcetype == "" {
		cfg.Sourcetype = "vedette:finding"
	}
	u, _ := url.Parse(cfg.URL)
	if u.Path == "" || u.Path == "/" {
		u.Path = "/services/collector/event"
	}
	client, err := notify.HTTPClient(cfg.TLS)
	if err != nil {
		return nil, fmt.Errorf("splunk: %w", err)
	}
	return &Notifier{cfg: cfg, url: u.String(), auth: "Splunk " + token, format: f, client: client}, nil
}

// hecEvent is one event object of the collector's format.
type hecEvent struct {
	Time       float64         `json:"time"`
	Host       string          `json:"host,omitempty"`
	Source     string          `json:"source"`
	Sourcetype string          `json:"sourcetype"`
	Index      string          `json:"index,omitempty"`
	Event      json.RawMessage `json:"event"`
}

// Body renders the request body of a batch.
func (n *Notifier) Body(changes []event.Change) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, c := range changes {
		b, err := n.format(c)
		if err != nil {
			return nil, err
		}
		if !json.Valid(b) || !strings.HasPrefix(string(b), "{") {
			if b, err = json.Marshal(string(b)); err != nil { // CEF: the event is the line
				return nil, err
			}
		}
		ev := hecEvent{
			Time: float64(c.At.UnixMilli()) / 1000, Host: n.cfg.Host, Source: n.cfg.Source,
			Sourcetype: n.cfg.Sourcetype, Index: n.cfg.Index, Event: b,
		}
		if err := enc.Encode(ev); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// Notify posts the batch in one request.
func (n *Notifier) Notify(ctx context.Context, changes []event.Change) (bool, error) {
	body, err := n.Body(changes)
	if err != nil {
		return false, fmt.Errorf("splunk: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("splunk: %w", err)
	}
	req.Header.Set("Authorization", n.auth)
	req.Header.Set("Content-Type", "application/json")
	if retry, err := notify.Do(n.client, req); err != nil {
		return retry, fmt.Errorf("splunk: %w", err)
	}
	return false, nil
}
