package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// TestNoTokenAPIRefusesBrowserAttacks checks that the token-less loopback
// API, where every request is admin, cannot be driven by a web page the
// operator happens to visit: a cross-site form POST (no preflight) must
// not create a suppression rule, and a DNS-rebound host name must not
// read or change anything. curl and the console (same origin) still work.
func TestNoTokenAPIRefusesBrowserAttacks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		st := open(store.Options{})
		s, err := New(Options{Config: config.Default(), Store: st})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler())
		defer srv.Close()
		rule := `{"name":"all","reason":"x","match":{"ip":"0.0.0.0/0"}}`
		tests := []struct {
			name, method, path, host string
			hdr                      map[string]string
			want                     int
		}{
			{"cross-site form post", "POST", "/api/v1/rules", "",
				map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"}, 403},
			{"cross-origin post, old browser", "POST", "/api/v1/rules", "",
				map[string]string{"Origin": "https://evil.example", "Content-Type": "text/plain"}, 403},
			{"rebound host reads", "GET", "/api/v1/alerts", "evil.example:8080", nil, 403},
			{"rebound host writes", "POST", "/api/v1/rules", "evil.example:8080",
				map[string]string{"Origin": "http://evil.example:8080", "Sec-Fetch-Site": "same-origin"}, 403},
			{"curl on localhost", "GET", "/api/v1/alerts", "localhost:8080", nil, 200},
			{"curl on ::1", "GET", "/api/v1/me", "[::1]:8080", nil, 200},
			{"console same origin", "POST", "/api/v1/rules/simulate", "",
				map[string]string{"Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"}, 200},
		}
		for _, tc := range tests {
			body := ""
			if tc.method == "POST" {
				body = rule
			}
			req, err := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.host != "" {
				req.Host = tc.host
			}
			for k, v := range tc.hdr {
				req.Header.Set(k, v)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.want)
			}
		}
		rules, err := st.Rules(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(rules) != 0 {
			t.Errorf("a refused request saved %d suppression rules", len(rules))
		}
	})
}
