package splunk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
	"github.com/vedette/vedette/internal/format/cef"
	"github.com/vedette/vedette/internal/format/formattest"
	"github.com/vedette/vedette/internal/format/sentinel"
	"github.com/vedette/vedette/internal/notify"
)

const token = "7f5c3e1a-2b4d-4c6e-8f90-a1b2c3d4e5f6"

// hec is a collector that enforces the documented request format of
// /services/collector/event and answers as Splunk does (code 0 Success,
// 2 token required, 4 invalid token, 5 no data, 6 invalid data format,
// 12 event field is required, 9 server busy).
type hec struct {
	busy int // answer 503 to this many requests first

	mu     sync.Mutex
	events []map[string]any
}

func reply(w http.ResponseWriter, status, code int, text string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"text":%q,"code":%d}`, text, code)
}

func (h *hec) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/services/collector/event" {
		reply(w, http.StatusNotFound, 404, "The requested URL was not found on this server.")
		return
	}
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		reply(w, http.StatusUnauthorized, 2, "Token is required")
		return
	case auth != "Splunk "+token:
		reply(w, http.StatusForbidden, 4, "Invalid token")
		return
	}
	if h.busy > 0 {
		h.busy--
		reply(w, http.StatusServiceUnavailable, 9, "Server is busy")
		return
	}
	body, _ := io.ReadAll(r.Body)
	dec := json.NewDecoder(bytes.NewReader(body))
	var batch []map[string]any
	for dec.More() {
		var ev map[string]any
		if err := dec.Decode(&ev); err != nil {
			reply(w, http.StatusBadRequest, 6, "Invalid data format")
			return
		}
		if ev["event"] == nil || ev["event"] == "" {
			reply(w, http.StatusBadRequest, 12, "Event field is required")
			return
		}
		if _, ok := ev["time"].(float64); !ok {
			reply(w, http.StatusBadRequest, 6, "Invalid data format")
			return
		}
		batch = append(batch, ev)
	}
	if len(batch) == 0 {
		reply(w, http.StatusBadRequest, 5, "No data")
		return
	}
	h.events = append(h.events, batch...) // all or nothing, as the collector does
	reply(w, http.StatusOK, 0, "Success")
}

func newNotifier(t *testing.T, url string, f format.Func) *Notifier {
	t.Helper()
	n, err := New(Config{URL: url, TokenEnv: "VEDETTE_TEST_HEC_TOKEN", Index: "security", Host: "vedette-1"}, f)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDeliversToCollector(t *testing.T) {
	t.Setenv("VEDETTE_TEST_HEC_TOKEN", token)
	for name, f := range map[string]format.Func{"sentinel": sentinel.Format, "cef": cef.Format} {
		h := &hec{busy: 1}
		srv := httptest.NewServer(h)
		n := newNotifier(t, srv.URL, f)
		changes := formattest.Changes(t)
		retry, err := n.Notify(t.Context(), changes)
		if !retry || err == nil {
			t.Errorf("%s: busy collector: retry=%v err=%v", name, retry, err)
		}
		if _, err := n.Notify(t.Context(), changes); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		srv.Close()
		if len(h.events) != len(changes) {
			t.Fatalf("%s: %d events, want %d", name, len(h.events), len(changes))
		}
		for i, ev := range h.events {
			c := changes[i]
			if ev["index"] != "security" || ev["sourcetype"] != "vedette:finding" || ev["host"] != "vedette-1" ||
				ev["time"] != float64(c.At.UnixMilli())/1000 {
				t.Errorf("%s event %d metadata: %v", name, i, ev)
			}
			checkEvent(t, name, ev["event"], c)
		}
	}
}

func checkEvent(t *testing.T, name string, got any, c event.Change) {
	t.Helper()
	switch name {
	case "sentinel":
		if m, ok := got.(map[string]any); !ok || m["SystemAlertId"] != c.Alert.ID {
			t.Errorf("sentinel event is not the finding object: %v", got)
		}
	case "cef":
		want, _ := cef.Format(c)
		if got != string(want) {
			t.Errorf("cef event %q, want the line %q", got, want)
		}
	}
}

func TestRefusedToken(t *testing.T) {
	t.Setenv("VEDETTE_TEST_HEC_TOKEN", "wrong")
	h := &hec{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	retry, err := newNotifier(t, srv.URL, sentinel.Format).Notify(t.Context(), formattest.Changes(t)[:1])
	if retry || err == nil || !strings.Contains(err.Error(), "Invalid token") || len(h.events) != 0 {
		t.Errorf("retry=%v err=%v", retry, err)
	}
}

func TestTokenFromEnvironment(t *testing.T) {
	t.Setenv("VEDETTE_TEST_HEC_TOKEN", "")
	_, err := New(Config{URL: "https://127.0.0.1:8088", TokenEnv: "VEDETTE_TEST_HEC_TOKEN"}, sentinel.Format)
	if err == nil || !strings.Contains(err.Error(), "VEDETTE_TEST_HEC_TOKEN is not set") {
		t.Errorf("err %v", err)
	}
	if err := (Config{URL: "https://h:8088"}).Validate(); err == nil {
		t.Error("no token_env accepted")
	}
	if err := (Config{TokenEnv: "T"}).Validate(); !errors.Is(err, notify.ErrNoURL) {
		t.Errorf("no url: %v", err)
	}
}
