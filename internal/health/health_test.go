package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func get(t *testing.T, url string) (int, Report) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep Report
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, rep
}

// TestReadinessFlips serves /readyz over real HTTP and watches it follow
// its checks: not ready while the collector is unbound and the store
// fails, ready once both pass, not ready again when the store goes.
func TestReadinessFlips(t *testing.T) {
	h := New()
	bound := NewGate("collector not bound yet")
	var storeErr atomic.Pointer[error]
	setStore := func(err error) { storeErr.Store(&err) }
	setStore(errors.New("store closed"))
	h.Add("collector", bound.Check)
	h.Add("store", func(context.Context) error { return *storeErr.Load() })
	srv := httptest.NewServer(h.Handler())
	defer srv.Close()

	if code, _ := get(t, srv.URL+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz %d", code)
	}
	code, rep := get(t, srv.URL+"/readyz")
	if code != http.StatusServiceUnavailable || rep.Status != "not ready" || len(rep.Failed) != 2 ||
		rep.Checks["collector"] != "collector not bound yet" || rep.Checks["store"] != "store closed" {
		t.Fatalf("before: %d %+v", code, rep)
	}
	bound.Open()
	setStore(nil)
	if code, rep = get(t, srv.URL+"/readyz"); code != http.StatusOK || rep.Status != "ready" || rep.Checks["store"] != "ok" {
		t.Fatalf("after: %d %+v", code, rep)
	}
	setStore(errors.New("disk gone"))
	if code, rep = get(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable || rep.Failed[0] != "store" {
		t.Fatalf("store lost: %d %+v", code, rep)
	}
	h.Remove("store")
	if code, _ = get(t, srv.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("store check removed: %d", code)
	}
}

// TestHungCheckTimesOut: a check that never returns fails at the timeout
// instead of hanging /readyz.
func TestHungCheckTimesOut(t *testing.T) {
	h := New()
	h.timeout = 50 * time.Millisecond
	block := make(chan struct{})
	defer close(block)
	h.Add("kafka", func(context.Context) error { <-block; return nil })
	start := time.Now()
	res := h.Run(context.Background())
	if !errors.Is(res["kafka"], context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Fatalf("%v after %v", res, time.Since(start))
	}
}
