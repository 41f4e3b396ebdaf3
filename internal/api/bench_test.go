package api

import (
	"io"
	"net/http"
	"testing"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// BenchmarkAPI measures, over loopback HTTP on SQLite holding 20,000
// alerts, a page of the newest 100 alerts with two filters, and the
// streaming export of all of them.
func BenchmarkAPI(b *testing.B) {
	st := storetest.Backends()[0].Open(b, store.Options{})
	if _, err := st.Insert(b.Context(), alerts(20000)); err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{Config: config.Default(), Store: st})
	if err != nil {
		b.Fatal(err)
	}
	srv := newBenchServer(b, s)
	get := func(b *testing.B, path string) int64 {
		resp, err := http.Get(srv + path)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %s", path, resp.Status)
		}
		return n
	}
	b.Run("list-100-two-filters", func(b *testing.B) {
		for b.Loop() {
			get(b, "/api/v1/alerts?limit=100&severity=Medium&tenant=contoso")
		}
	})
	b.Run("export-20000", func(b *testing.B) {
		var n int64
		for b.Loop() {
			n = get(b, "/api/v1/export/alerts")
		}
		b.SetBytes(n)
	})
}

func newBenchServer(b *testing.B, s *Server) string {
	b.Helper()
	cfg := config.Default()
	cfg.API.Listen = "127.0.0.1:0"
	s.cfg.API = cfg.API
	ln, err := s.Listen()
	if err != nil {
		b.Fatal(err)
	}
	go (&http.Server{Handler: s.Handler()}).Serve(ln)
	b.Cleanup(func() { ln.Close() })
	return "http://" + ln.Addr().String()
}
