package api

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/config"
)

// testTokens returns a configuration with a viewer, an analyst and an
// admin token, and the tokens by role.
func testTokens(t *testing.T) ([]config.Token, map[string]string) {
	t.Helper()
	var cfg []config.Token
	plain := map[string]string{}
	for _, role := range config.Roles {
		tok, hash, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		cfg = append(cfg, config.Token{Name: role + "-user", Role: role, SHA256: hash})
		plain[role] = tok
	}
	return cfg, plain
}

func do(t *testing.T, c *http.Client, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAuthenticationAndRoles checks, over HTTP, that requests without a
// valid token are refused and that each role reaches only its operations.
// The refusals happen before any handler runs: no store is needed.
func TestAuthenticationAndRoles(t *testing.T) {
	t.Parallel()
	toks, plain := testTokens(t)
	ts, err := newTokens(toks)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{}
	s.tokens.Store(&ts)
	srv := httptest.NewServer(chain(s.mux(Options{}), limitBody(1024)))
	defer srv.Close()
	c := srv.Client()
	tests := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"no token", "GET", "/api/v1/me", "", "", 401},
		{"unknown token", "GET", "/api/v1/me", "vdt_nope", "", 401},
		{"viewer triages", "PATCH", "/api/v1/alerts/a1", plain["viewer"], `{"status":"active"}`, 403},
		{"viewer comments", "POST", "/api/v1/alerts/a1/comments", plain["viewer"], `{"text":"x"}`, 403},
		{"analyst changes settings", "PUT", "/api/v1/settings/t/*/anonymous-ip", plain["analyst"], `{"enabled":false}`, 403},
		{"analyst deletes a setting", "DELETE", "/api/v1/settings/t/*/anonymous-ip", plain["analyst"], "", 403},
		{"analyst adds a rule", "POST", "/api/v1/rules", plain["analyst"], `{"name":"x","match":{"ip":"192.0.2.1"}}`, 403},
		{"analyst simulates", "POST", "/api/v1/rules/simulate", plain["analyst"], `{"name":"x","match":{"ip":"192.0.2.1"}}`, 403},
		{"analyst deletes a rule", "DELETE", "/api/v1/rules/1", plain["analyst"], "", 403},
		{"openapi is public", "GET", "/api/v1/openapi.json", "", "", 200},
		{"unknown path", "GET", "/api/v1/nope", plain["admin"], "", 404},
		{"body too large", "POST", "/api/v1/alerts/a1/comments", plain["analyst"], `{"text":"` + strings.Repeat("x", 2000) + `"}`, 413},
	}
	for _, tt := range tests {
		code, body := do(t, c, tt.method, srv.URL+tt.path, tt.token, tt.body)
		if code != tt.want {
			t.Errorf("%s: %s %s = %d %s, want %d", tt.name, tt.method, tt.path, code, body, tt.want)
		}
		if code >= 400 {
			var e errorBody
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == "" {
				t.Errorf("%s: error body %q is not {\"error\": ...}", tt.name, body)
			}
		}
	}
	// A body without a length (chunked) is cut at the limit as it is read.
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/alerts/a1/comments", io.MultiReader(strings.NewReader(`{"text":"`), strings.NewReader(strings.Repeat("x", 4000)+`"}`)))
	req.Header.Set("Authorization", "Bearer "+plain["analyst"])
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked body over the limit: %s", resp.Status)
	}
	for role, tok := range plain {
		code, body := do(t, c, "GET", srv.URL+"/api/v1/me", tok, "")
		var m me
		if code != 200 || json.Unmarshal([]byte(body), &m) != nil || m.Role != role || m.Name != role+"-user" {
			t.Errorf("me as %s: %d %s", role, code, body)
		}
	}
}

// TestRefusedPublicWithoutTokens: without tokens only loopback is served;
// the refusal comes before binding.
func TestRefusedPublicWithoutTokens(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.10:0"} {
		cfg := config.Default()
		cfg.API.Listen = addr
		s := &Server{cfg: cfg}
		ln, err := s.Listen()
		if !errors.Is(err, ErrPublicWithoutTokens) {
			if ln != nil {
				ln.Close()
			}
			t.Errorf("%s without tokens: err = %v, want ErrPublicWithoutTokens", addr, err)
		}
	}
	cfg := config.Default()
	cfg.API.Listen = "127.0.0.1:0"
	ln, err := (&Server{cfg: cfg}).Listen()
	if err != nil {
		t.Fatalf("loopback without tokens: %v", err)
	}
	ln.Close()
}

// TestTLS serves from certificate files and refuses plain HTTP.
func TestTLS(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	toks, plain := testTokens(t)
	cfg := config.Default()
	cfg.API = config.API{Listen: "127.0.0.1:0", Tokens: toks, TLS: config.TLSFiles{Cert: certFile, Key: keyFile}, MaxBody: 1 << 20}
	ts, _ := newTokens(toks)
	s := &Server{cfg: cfg}
	s.tokens.Store(&ts)
	s.handler = s.mux(Options{})
	ln, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	go (&http.Server{Handler: s.handler, ReadHeaderTimeout: time.Second}).Serve(ln)
	defer ln.Close()
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 5 * time.Second}
	if code, body := do(t, c, "GET", "https://"+ln.Addr().String()+"/api/v1/me", plain["admin"], ""); code != 200 || !strings.Contains(body, `"admin"`) {
		t.Errorf("https me: %d %s", code, body)
	}
	resp, err := http.Get("http://" + ln.Addr().String() + "/api/v1/openapi.json")
	if err == nil {
		if resp.StatusCode == 200 {
			t.Error("plain HTTP answered 200 on a TLS listener")
		}
		resp.Body.Close()
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vedette-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestSetTokensKeepsPublicGuarded: a reload cannot remove every token
// from an API bound beyond loopback; on loopback it can.
func TestSetTokensKeepsPublicGuarded(t *testing.T) {
	t.Parallel()
	toks, _ := testTokens(t)
	s := &Server{}
	if err := s.SetTokens(toks); err != nil {
		t.Fatal(err)
	}
	s.public.Store(true)
	if err := s.SetTokens(nil); !errors.Is(err, ErrPublicWithoutTokens) {
		t.Errorf("emptied on a public address: %v", err)
	}
	if len(s.keys()) != len(toks) {
		t.Errorf("%d tokens in force after the refused change, want %d", len(s.keys()), len(toks))
	}
	if err := s.SetTokens([]config.Token{{Name: "x", Role: "god", SHA256: toks[0].SHA256}}); err == nil {
		t.Error("unknown role accepted")
	}
	s.public.Store(false)
	if err := s.SetTokens(nil); err != nil || len(s.keys()) != 0 {
		t.Errorf("emptied on loopback: %v, %d left", err, len(s.keys()))
	}
}
