package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/demo"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/runner"
)

// backend is what `vedette demo` runs: the shipped sample detected into a
// data directory, the real API and store, and the console, on loopback.
type backend struct {
	URL, Token string
	Tokens     map[string]string // by role
	cfg        config.Config
}

const sample = "../../testdata/sample"

func startBackend(t *testing.T) *backend {
	t.Helper()
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *backend, 1)
	done := make(chan error, 1)
	go func() {
		done <- demo.Run(ctx, demo.Options{Sample: sample, Data: data, Listen: "127.0.0.1:0",
			Ready: func(url string, tokens map[string]string, _ runner.Summary) {
				ready <- &backend{URL: url[:len(url)-1], Token: tokens["admin"], Tokens: tokens}
			}})
	}()
	var b *backend
	select {
	case b = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("demo: %v", err)
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatal("demo did not start in 2 minutes")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo: %v", err)
		}
	})
	cfg, err := demo.Config(sample, data)
	if err != nil {
		t.Fatal(err)
	}
	b.cfg = cfg
	return b
}

// replay runs detect over file into the running demo's data directory, as
// an operator back-filling logs would, and returns the alerts it raised.
func (b *backend) replay(t *testing.T, file string) []event.Alert {
	t.Helper()
	var out bytes.Buffer
	if _, err := runner.Detect(b.cfg, []string{file}, runner.Options{Out: &out}); err != nil {
		t.Fatalf("replay %s: %v", file, err)
	}
	var alerts []event.Alert
	dec := json.NewDecoder(&out)
	for dec.More() {
		var a event.Alert
		if err := dec.Decode(&a); err != nil {
			t.Fatal(err)
		}
		alerts = append(alerts, a)
	}
	return alerts
}
