package demo

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/runner"
)

// The demo loads the sample, serves the console and the API, and each
// printed token signs in with its role.
func TestRunServesTheSample(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	type ready struct {
		url    string
		tokens map[string]string
		sum    runner.Summary
	}
	up := make(chan ready, 1)
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Sample: "../../" + Sample, Data: t.TempDir(), Listen: "127.0.0.1:0",
			Ready: func(url string, tokens map[string]string, sum runner.Summary) { up <- ready{url, tokens, sum} }})
	}()
	var r ready
	select {
	case r = <-up:
	case err := <-done:
		t.Fatalf("demo: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("demo did not start")
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo stopped: %v", err)
		}
	}()
	if !strings.HasPrefix(r.url, "http://127.0.0.1:") || r.sum.NewAlerts == 0 {
		t.Fatalf("url %q, %d alerts loaded", r.url, r.sum.NewAlerts)
	}
	page := get(t, r.url, "")
	if page.status != 200 || !strings.Contains(page.body, `assets/js/app.js`) {
		t.Errorf("GET /: %d %.80s", page.status, page.body)
	}
	for _, role := range Roles {
		res := get(t, r.url+"api/v1/me", r.tokens[role])
		var me struct{ Role string }
		if err := json.Unmarshal([]byte(res.body), &me); err != nil || me.Role != role {
			t.Errorf("%s token: /me %d %s", role, res.status, res.body)
		}
	}
	var counts struct{ Total int }
	if err := json.Unmarshal([]byte(get(t, r.url+"api/v1/alerts/counts", r.tokens["viewer"]).body), &counts); err != nil || counts.Total != r.sum.NewAlerts {
		t.Errorf("API counts %d alerts, detect loaded %d (%v)", counts.Total, r.sum.NewAlerts, err)
	}
	if res := get(t, r.url+"api/v1/me", "vdt_not-a-token"); res.status != http.StatusUnauthorized {
		t.Errorf("a wrong token: status %d", res.status)
	}
}

type response struct {
	status int
	body   string
}

func get(t *testing.T, url, token string) response {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, string(b)}
}

// With 8080 taken the demo still starts, on another loopback port.
func TestListenAddrAvoidsATakenPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		t.Skipf("127.0.0.1:8080 is in use already: %v", err)
	}
	defer ln.Close()
	if got := listenAddr(""); got != "127.0.0.1:0" {
		t.Errorf("listenAddr with 8080 taken = %q", got)
	}
	if got := listenAddr("127.0.0.1:9999"); got != "127.0.0.1:9999" {
		t.Errorf("an explicit address was replaced by %q", got)
	}
}
