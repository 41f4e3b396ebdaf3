package runner

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/api"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
)

// getJSON GETs an API path (no tokens: loopback admin) into out.
func getJSON(t *testing.T, base, path string, out any) int {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == 200 && out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// TestServeAPIOverLiveState: serve answers the API while it collects; a
// brute force sent over UDP is listed as an alert, and the host summary
// reads the live engine.
func TestServeAPIOverLiveState(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.csv")
	if err := os.WriteFile(inv, []byte("ip,host,subscription\n10.0.0.5,web-01,sub-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = []string{"127.0.0.1:0"}, nil
	cfg.Network.Inventory = inv
	cfg.API.Listen = "127.0.0.1:0"
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	udp, web := make(chan netip.AddrPort, 1), make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{
			Out: io.Discard, Ready: func(a []netip.AddrPort) { udp <- a[0] },
			API: APIOptions{Ready: func(a net.Addr) { web <- a }},
		})
	}()
	base := "http://" + (<-web).String()
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(<-udp))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	hour := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	burst := attempts("203.0.113.7", "10.0.0.5", hour.Add(5*time.Minute), 40)
	later := attempts("198.51.100.1", "10.0.0.5", hour.Add(70*time.Minute), 1) // closes the hour
	if _, err := conn.Write(ipfixMessage(1, append(burst, later...))); err != nil {
		t.Fatal(err)
	}
	var page store.AlertPage
	for len(page.Alerts) == 0 {
		if ctx.Err() != nil {
			t.Fatal("no alert listed by the API")
		}
		time.Sleep(20 * time.Millisecond)
		getJSON(t, base, "/api/v1/alerts?host=web-01", &page)
	}
	if a := page.Alerts[0]; a.Detection != "ssh-incoming-one-to-one" || a.Triage.Status != event.StatusNew {
		t.Errorf("listed alert %s status %s", a.Detection, a.Triage.Status)
	}
	var h struct {
		Host  string `json:"host"`
		Hours int    `json:"hours"`
		IPs   []struct {
			IP string `json:"ip"`
		} `json:"ips"`
	}
	if code := getJSON(t, base, "/api/v1/hosts/web-01", &h); code != 200 || h.Host != "web-01" || h.Hours != 1 || len(h.IPs) != 1 {
		t.Errorf("host summary: %d %+v", code, h)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestServeRefusesPublicAPIWithoutTokens: the refusal comes before any
// collector opens.
func TestServeRefusesPublicAPIWithoutTokens(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = []string{"127.0.0.1:0"}, nil
	cfg.API.Listen = "0.0.0.0:0"
	opened := false
	err := Serve(t.Context(), cfg, ServeOptions{Out: io.Discard, Ready: func([]netip.AddrPort) { opened = true }})
	if !errors.Is(err, api.ErrPublicWithoutTokens) || opened {
		t.Fatalf("err = %v, collector opened %v", err, opened)
	}
}

// TestAPICommandServesDataDir: `vedette api` serves a data directory while
// `detect` writes into it: the alerts and baselines detect stores show
// through the running API, which collects nothing.
func TestAPICommandServesDataDir(t *testing.T) {
	dir, cfg := month(t)
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.API.Listen = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(t.Context())
	web := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- API(ctx, cfg, nil, APIOptions{Ready: func(a net.Addr) { web <- a }}) }()
	base := "http://" + (<-web).String()
	var counts store.AlertCounts
	if code := getJSON(t, base, "/api/v1/alerts/counts", &counts); code != 200 || counts.Total != 0 {
		t.Fatalf("before detect: %d %+v", code, counts)
	}
	alerts, _ := detectFiles(t, cfg, filepath.Join(dir, "signins.jsonl"), filepath.Join(dir, "activity.jsonl"))
	if len(alerts) == 0 {
		t.Fatal("the month raised nothing")
	}
	if code := getJSON(t, base, "/api/v1/alerts/counts", &counts); code != 200 || counts.Total != len(alerts) {
		t.Errorf("counts %d %+v, detect wrote %d alerts", code, counts, len(alerts))
	}
	a := alerts[0]
	var p struct {
		Principal string `json:"principal"`
		Countries []any  `json:"countries"`
	}
	if code := getJSON(t, base, "/api/v1/principals/"+url.PathEscape(a.Tenant)+"/"+url.PathEscape(a.Principal), &p); code != 200 || p.Principal == "" || len(p.Countries) == 0 {
		t.Errorf("principal %s: %d %+v", a.Principal, code, p)
	}
	var eg struct {
		Egress []struct{ Principals int } `json:"egress"`
	}
	if code := getJSON(t, base, "/api/v1/tenants/"+url.PathEscape(a.Tenant)+"/egress", &eg); code != 200 || len(eg.Egress) == 0 || eg.Egress[0].Principals < 2 {
		t.Errorf("shared egress of %s: %d %+v", a.Tenant, code, eg)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestReloadAPITokens: a configuration reload (SIGHUP) revoking a token
// refuses it from the next request and admits the new one, without a
// restart.
func TestReloadAPITokens(t *testing.T) {
	alice, aliceHash, _ := api.NewToken()
	bob, bobHash, _ := api.NewToken()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = []string{"127.0.0.1:0"}, nil
	cfg.API.Listen = "127.0.0.1:0"
	cfg.API.Tokens = []config.Token{{Name: "alice", Role: "analyst", SHA256: aliceHash}}
	next := cfg
	next.API.Tokens = []config.Token{{Name: "bob", Role: "viewer", SHA256: bobHash}}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	reload := make(chan struct{}, 1)
	web := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, cfg, ServeOptions{
			Out: io.Discard, Reload: reload, LoadConfig: func() (config.Config, error) { return next, nil },
			API: APIOptions{Ready: func(a net.Addr) { web <- a }},
		})
	}()
	base := "http://" + (<-web).String() + "/api/v1/me"
	status := func(token string) int {
		req, _ := http.NewRequest("GET", base, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status(alice) != 200 || status(bob) != 401 {
		t.Fatalf("before reload: alice %d, bob %d", status(alice), status(bob))
	}
	reload <- struct{}{}
	for status(alice) != 401 {
		if ctx.Err() != nil {
			t.Fatal("alice's token still admitted after the reload")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := status(bob); got != 200 {
		t.Errorf("bob after reload: %d", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
