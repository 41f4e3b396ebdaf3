package runner

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/deliver"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/notify/webhook"
	"github.com/vedette/vedette/internal/store"
)

const hookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// hookReceiver is a webhook endpoint that misbehaves as told: answer with
// status(n) to request n (0 = 204), after delay(n).
type hookReceiver struct {
	status func(n int) int
	delay  func(n int) time.Duration

	mu       sync.Mutex
	requests int
	order    []string       // webhook-ids accepted, in arrival order
	count    map[string]int // acceptances per webhook-id
	seqs     []int64        // change seq of each acceptance
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.requests++
	n := h.requests
	h.mu.Unlock()
	if h.delay != nil {
		select {
		case <-time.After(h.delay(n)):
		case <-r.Context().Done():
			return
		}
	}
	if h.status != nil {
		if code := h.status(n); code != 0 {
			w.WriteHeader(code)
			return
		}
	}
	var rec struct{ Change struct{ Seq int64 } }
	json.Unmarshal(body, &rec)
	h.mu.Lock()
	defer h.mu.Unlock()
	id := r.Header.Get("webhook-id")
	if h.count[id] == 0 {
		h.order = append(h.order, id)
	}
	h.count[id]++
	h.seqs = append(h.seqs, rec.Change.Seq)
	w.WriteHeader(http.StatusNoContent)
}

// sampleWithHook is the sample configuration with one webhook output (Vedette
// JSON) to h.
func sampleWithHook(t *testing.T, h *hookReceiver, tune func(*deliver.OutputConfig)) (config.Config, []string) {
	t.Helper()
	t.Setenv("VEDETTE_TEST_HOOK_SECRET", hookSecret)
	h.count = map[string]int{}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg, err := config.Load("../../testdata/sample/vedette.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	o := deliver.OutputConfig{Name: "hook", Type: "webhook", Format: "json", MinBackoff: 5 * time.Millisecond,
		Webhook: &webhook.Config{URL: srv.URL + "/vedette", SecretEnv: "VEDETTE_TEST_HOOK_SECRET"}}
	if tune != nil {
		tune(&o)
	}
	cfg.Outputs = []deliver.OutputConfig{o}
	files := []string{"../../testdata/sample/signins.jsonl", "../../testdata/sample/activity.jsonl"}
	return cfg, files
}

func storedChanges(t *testing.T, dir string) (ids []string, dead []store.DeadLetter, cursor int64) {
	t.Helper()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	changes, err := st.OutboxAfter(t.Context(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		ids = append(ids, webhook.MessageID(c))
	}
	if dead, err = st.DeadLetters(t.Context(), "hook", 1000); err != nil {
		t.Fatal(err)
	}
	cursor, err = st.Cursor(t.Context(), "hook")
	if err != nil {
		t.Fatal(err)
	}
	return ids, dead, cursor
}

// A receiver failing its first requests, then slow past the timeout: every
// change still arrives, in outbox order, and stdout is not held back.
func TestDeliveryThroughFailingAndSlowReceiver(t *testing.T) {
	h := &hookReceiver{
		status: func(n int) int {
			if n <= 3 {
				return http.StatusInternalServerError
			}
			return 0
		},
		delay: func(n int) time.Duration {
			if n == 4 || n == 5 {
				return 2 * time.Second // past the 300ms timeout
			}
			return 0
		},
	}
	cfg, files := sampleWithHook(t, h, func(o *deliver.OutputConfig) { o.Timeout = 300 * time.Millisecond })
	var out bytes.Buffer
	if _, err := Detect(cfg, files, Options{Out: &out}); err != nil {
		t.Fatal(err)
	}
	ids, dead, _ := storedChanges(t, cfg.DataDir)
	if len(ids) == 0 || !slices.Equal(h.order, ids) || len(dead) != 0 {
		t.Fatalf("receiver got %v, want %v in order; dead %v", h.order, ids, dead)
	}
	if !slices.IsSorted(h.seqs) {
		t.Errorf("seqs out of order: %v", h.seqs)
	}
	if lines := strings.Count(out.String(), "\n"); lines != len(ids) {
		t.Errorf("stdout got %d lines, want %d", lines, len(ids))
	}
}

// A receiver that keeps refusing: the changes become dead letters with the
// attempts and the reason, the cursor moves past them, and a rerun does not
// send them again.
func TestDeliveryDeadLettersWhenRefused(t *testing.T) {
	h := &hookReceiver{status: func(int) int { return http.StatusServiceUnavailable }}
	cfg, files := sampleWithHook(t, h, func(o *deliver.OutputConfig) { o.MaxAttempts = 3; o.BatchSize = 4 })
	if _, err := Detect(cfg, files, Options{}); err != nil {
		t.Fatal(err)
	}
	ids, dead, cursor := storedChanges(t, cfg.DataDir)
	if len(dead) != len(ids) || len(h.order) != 0 {
		t.Fatalf("%d dead letters for %d changes; accepted %v", len(dead), len(ids), h.order)
	}
	for _, d := range dead {
		if d.Attempts != 3 || !strings.Contains(d.Reason, "503 Service Unavailable") || d.Output != "hook" {
			t.Errorf("dead letter %+v", d)
		}
	}
	// A batch is attempted as a whole: the webhook stops at its first
	// refused change, three times per batch of four.
	batches := (len(ids) + 3) / 4
	if cursor != int64(len(ids)) || h.requests != 3*batches {
		t.Errorf("cursor %d requests %d, want %d and %d", cursor, h.requests, len(ids), 3*batches)
	}
	before := h.requests
	if _, err := Detect(cfg, files, Options{}); err != nil {
		t.Fatal(err)
	}
	if h.requests != before {
		t.Errorf("rerun sent %d more requests", h.requests-before)
	}
}

// lines counts the lines written to b.
func lines(b *syncBuffer) int { return strings.Count(b.String(), "\n") }

// In serve, stored alerts are delivered while it runs, woken by the store
// write rather than waiting for a poll, and what the last ones added is
// delivered at stop.
func TestServeDeliversLive(t *testing.T) {
	cfg, err := config.Load("../../testdata/sample/vedette.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	env, err := Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	var out syncBuffer
	stop, err := env.startDelivery(t.Context(), destination{Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	alerts := []event.Alert{{ID: "a1", Detection: "impossible-travel", Severity: event.SeverityHigh, Tenant: "t", Time: time.Now()}}
	start := time.Now()
	if err := env.emit(alerts, &Summary{}); err != nil {
		t.Fatal(err)
	}
	for lines(&out) < 1 {
		if time.Since(start) > 5*time.Second {
			t.Fatal("not delivered while running")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if took := time.Since(start); took > 900*time.Millisecond {
		t.Errorf("delivered after %v: woken by the store write, not by the 1s poll", took)
	}
	alerts[0].ID = "a2"
	if err := env.emit(alerts, &Summary{}); err != nil {
		t.Fatal(err)
	}
	if err := stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	if lines(&out) != 2 {
		t.Errorf("%d lines after stop, want 2", lines(&out))
	}
}
