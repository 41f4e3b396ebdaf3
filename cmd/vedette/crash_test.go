package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/notify/webhook"
	"github.com/vedette/vedette/internal/store"
)

// vedetteCmd returns a command running this binary as vedette (TestMain
// in main_test.go runs main when VEDETTE_RUN_MAIN=1).
func vedetteCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "VEDETTE_RUN_MAIN=1", "VEDETTE_CRASH_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	return cmd
}

// killReceiver accepts webhook requests slowly and, on request killAt, tells
// the test and holds the answer until the sender is dead.
type killReceiver struct {
	killAt   int
	inflight chan struct{}
	killed   chan struct{}

	mu       sync.Mutex
	requests int
	count    map[string]int
}

func (k *killReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	k.mu.Lock()
	k.requests++
	n := k.requests
	k.mu.Unlock()
	if n == k.killAt {
		close(k.inflight)
		<-k.killed
		return // the sender is gone: this change was never acknowledged
	}
	time.Sleep(20 * time.Millisecond)
	k.mu.Lock()
	k.count[r.Header.Get("webhook-id")]++
	k.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// vedette is killed with SIGKILL while delivering to a webhook, then
// restarted: every change of the outbox reaches the receiver at least once,
// and the restart resumes from the cursor instead of starting over.
func TestKilledDuringDeliveryDeliversAtLeastOnce(t *testing.T) {
	t.Parallel()
	k := &killReceiver{killAt: 6, inflight: make(chan struct{}), killed: make(chan struct{}), count: map[string]int{}}
	srv := httptest.NewServer(k)
	defer srv.Close()
	sample, _ := filepath.Abs("../../testdata/sample")
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "vedette.yaml")
	cfg := fmt.Sprintf(`data_dir: %s
lists:
  - {path: %[2]s/lists/tor-exit.txt, category: tor-exit, name: tor-bulk-exit-list}
  - {path: %[2]s/lists/anonymous-proxy.txt, category: anonymous-proxy, name: anonymous-proxies}
  - {path: %[2]s/lists/vpn.csv, category: vpn, name: corporate-vpn}
  - {path: %[2]s/lists/corporate.txt, category: corporate, name: corporate-egress}
outputs:
  - name: hook
    type: webhook
    format: ocsf
    batch_size: 2
    webhook: {url: "%[3]s/hook", secret_env: VEDETTE_CRASH_SECRET}
`, filepath.Join(dir, "data"), sample, srv.URL)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"detect", "-q", "-config", cfgPath, "-out", filepath.Join(dir, "alerts.jsonl"),
		filepath.Join(sample, "signins.jsonl"), filepath.Join(sample, "activity.jsonl")}

	first := vedetteCmd(args...)
	first.Stderr = os.Stderr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-k.inflight:
	case <-time.After(30 * time.Second):
		first.Process.Kill()
		t.Fatal("no delivery within 30s")
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := first.Wait()
	close(k.killed)
	if ws, ok := first.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("first run ended with %v, want killed", err)
	}
	k.mu.Lock()
	beforeRestart := len(k.count)
	k.mu.Unlock()

	second := vedetteCmd(args...)
	if out, err := second.CombinedOutput(); err != nil {
		t.Fatalf("restart: %v\n%s", err, out)
	}
	st, err := store.Open(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	changes, err := st.OutboxAfter(t.Context(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	dups := 0
	for _, c := range changes {
		n := k.count[webhook.MessageID(c)]
		if n == 0 {
			t.Errorf("change %d (alert %s) never delivered", c.Seq, c.Alert.ID)
		}
		dups += n - 1
	}
	// Batches hold 2 changes and the kill came with change 6 in flight: the
	// restart resends the unacknowledged batch (changes 5 and 6), so change
	// 5 arrives twice, and nothing acknowledged before it is sent again.
	if beforeRestart != k.killAt-1 || dups != (k.killAt-1)%2 || len(k.count) != len(changes) {
		t.Errorf("%d delivered before the kill, %d duplicates after the restart, %d distinct of %d",
			beforeRestart, dups, len(k.count), len(changes))
	}
	// The -out file, an output of its own, holds every alert too.
	b, _ := os.ReadFile(filepath.Join(dir, "alerts.jsonl"))
	if got := strings.Count(string(b), "\n"); got < len(changes) {
		t.Errorf("-out holds %d lines, want at least %d", got, len(changes))
	}
}
