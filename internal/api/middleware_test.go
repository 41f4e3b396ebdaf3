package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// lockedBuf collects log lines from the server's goroutines.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) lines(t *testing.T) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(l.b.Bytes()))
	for dec.More() {
		m := map[string]any{}
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// TestRequestLog: one line per request with the caller the token names
// and the status; a panicking handler is answered 500 and logged.
func TestRequestLog(t *testing.T) {
	t.Parallel()
	toks, plain := testTokens(t)
	ts, _ := newTokens(toks)
	var logs lockedBuf
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := &Server{}
	s.tokens.Store(&ts)
	mux := s.mux(Options{})
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	srv := httptest.NewServer(chain(mux, logRequests(log), limitBody(1024)))
	defer srv.Close()
	if code, _ := do(t, srv.Client(), "PATCH", srv.URL+"/api/v1/alerts/a1", plain["viewer"], `{"status":"active"}`); code != 403 {
		t.Fatalf("viewer PATCH: %d", code)
	}
	if code, body := do(t, srv.Client(), "GET", srv.URL+"/boom", "", ""); code != 500 || body == "" {
		t.Fatalf("panic: %d %q", code, body)
	}
	var got []string
	for _, l := range logs.lines(t) {
		if l["msg"] == "api" {
			got = append(got, l["level"].(string)+" "+l["method"].(string)+" "+l["path"].(string)+" "+l["caller"].(string)+" "+jsonNum(l["status"]))
		}
	}
	want := []string{"INFO PATCH /api/v1/alerts/a1 viewer-user 403", "INFO GET /boom  500"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("request log:\n%q\nwant\n%q", got, want)
	}
}

func jsonNum(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
