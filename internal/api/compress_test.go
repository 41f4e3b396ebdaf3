package api

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// TestCompressedAnswers: a client that accepts gzip gets a listing
// compressed, which decodes to the same alerts as the plain answer; a
// small answer is sent plain; an export streams compressed with its
// trailer; a gzip request body is not inflated behind the body cap.
func TestCompressedAnswers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		e := newEnv(t, open(store.Options{}), nil)
		e.insert(alerts(40))
		// A transport that leaves the encoding to the test.
		c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
		get := func(path, accept string) *http.Response {
			t.Helper()
			req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+e.token["viewer"])
			if accept != "" {
				req.Header.Set("Accept-Encoding", accept)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { resp.Body.Close() })
			return resp
		}
		body := func(resp *http.Response) []byte {
			t.Helper()
			var r io.Reader = resp.Body
			if resp.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				r = zr
			}
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}

		plain := get("/api/v1/alerts?limit=40", "")
		if enc := plain.Header.Get("Content-Encoding"); enc != "" {
			t.Fatalf("listing without Accept-Encoding sent as %q", enc)
		}
		gz := get("/api/v1/alerts?limit=40", "gzip")
		if enc := gz.Header.Get("Content-Encoding"); enc != "gzip" {
			t.Fatalf("listing with Accept-Encoding gzip sent as %q", enc)
		}
		var a, b struct{ Alerts []store.StoredAlert }
		if err := json.Unmarshal(body(plain), &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(body(gz), &b); err != nil {
			t.Fatal(err)
		}
		if len(a.Alerts) != 40 || len(b.Alerts) != 40 || a.Alerts[0].ID != b.Alerts[0].ID || a.Alerts[39].ID != b.Alerts[39].ID {
			t.Errorf("compressed listing differs: %d vs %d alerts", len(a.Alerts), len(b.Alerts))
		}

		if me := get("/api/v1/me", "gzip"); me.Header.Get("Content-Encoding") != "" {
			t.Errorf("a small answer is compressed (%s)", me.Header.Get("Content-Encoding"))
		}

		exp := get("/api/v1/export/alerts", "gzip")
		if exp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("export sent as %q", exp.Header.Get("Content-Encoding"))
		}
		sc := bufio.NewScanner(strings.NewReader(string(body(exp))))
		sc.Buffer(nil, 1<<20)
		n := 0
		for sc.Scan() {
			n++
		}
		if n != 40 {
			t.Errorf("compressed export: %d lines, want 40", n)
		}
		if got := exp.Trailer.Get(exportTrailer); got != "complete" {
			t.Errorf("compressed export trailer %q, want complete", got)
		}

		// A gzip-encoded body is taken as it is, not inflated: JSON it is not.
		var zipped strings.Builder
		zw := gzip.NewWriter(&zipped)
		zw.Write([]byte(`{"status":"active"}`))
		zw.Close()
		req, _ := http.NewRequest("PATCH", e.srv.URL+"/api/v1/alerts/"+a.Alerts[0].ID, strings.NewReader(zipped.String()))
		req.Header.Set("Authorization", "Bearer "+e.token["analyst"])
		req.Header.Set("Content-Encoding", "gzip")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("gzip request body: %d, want 400 (not inflated)", resp.StatusCode)
		}
	})
}
