package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHangupRequestsReload sends a real SIGHUP to the test process: serve's
// handler turns it into a reload request instead of the default (exit).
func TestHangupRequestsReload(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	reqs := hangups(ctx)
	for range 2 {
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		select {
		case <-reqs:
		case <-time.After(5 * time.Second):
			t.Fatal("SIGHUP did not request a reload")
		}
	}
}

func TestLogFlags(t *testing.T) {
	var buf bytes.Buffer
	log, err := newLogger(&buf, "warn", "json")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("shown", "n", 1)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil || rec["msg"] != "shown" || rec["level"] != "WARN" {
		t.Fatalf("%q: %v", buf.String(), err)
	}
	buf.Reset()
	if log, err = newLogger(&buf, "debug", "text"); err != nil {
		t.Fatal(err)
	}
	log.Debug("detail")
	if !strings.Contains(buf.String(), "level=DEBUG msg=detail") {
		t.Fatalf("%q", buf.String())
	}
	for _, bad := range [][2]string{{"verbose", "text"}, {"info", "xml"}} {
		if _, err := newLogger(&buf, bad[0], bad[1]); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
