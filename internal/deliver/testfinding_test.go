package deliver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/notify/file"
	"github.com/vedette/vedette/internal/notify/webhook"
)

func TestSendTest(t *testing.T) {
	now := time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)
	var stdout bytes.Buffer
	if err := SendTest(t.Context(), OutputConfig{Name: "console", Type: "stdout", Format: "sentinel"}, &stdout, now); err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &rec); err != nil || rec["AlertName"] != "Vedette test finding" {
		t.Errorf("stdout got %s (%v)", stdout.Bytes(), err)
	}

	path := filepath.Join(t.TempDir(), "f.jsonl")
	if err := SendTest(t.Context(), OutputConfig{Name: "f", Type: "file", Format: "cef", File: &file.Config{Path: path}}, nil, now); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "CEF:0|Vedette|Vedette|1.0|vedette-test|Vedette test finding|3|") {
		t.Errorf("file got %q", b)
	}

	// A receiver that refuses: the error reaches the operator.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
	}))
	defer srv.Close()
	t.Setenv("VEDETTE_TEST_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	err := SendTest(t.Context(), OutputConfig{Name: "hook", Type: "webhook", Webhook: &webhook.Config{URL: srv.URL, SecretEnv: "VEDETTE_TEST_SECRET"}}, nil, now)
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") || !strings.Contains(err.Error(), "output hook") {
		t.Errorf("err %v", err)
	}
}
