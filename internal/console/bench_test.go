package console_test

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/api"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/console"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
)

// benchAlerts is how many alerts the list-page benchmark stores.
const benchAlerts = 100_000

// manyAlerts makes n alerts from the sample's ten, each with its own
// principal, time (spread over 30 days) and ID, as a busy tenant would have.
func manyAlerts(b *testing.B, n int) []event.Alert {
	f, err := os.Open("testdata/sample-alerts.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var tmpl []event.Alert
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a event.Alert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			b.Fatal(err)
		}
		tmpl = append(tmpl, a)
	}
	start := time.Date(2026, 9, 15, 0, 0, 0, 0, time.UTC)
	sevs := []event.Severity{event.SeverityLow, event.SeverityMedium, event.SeverityHigh}
	out := make([]event.Alert, n)
	for i := range out {
		a := tmpl[i%len(tmpl)]
		a.Principal = fmt.Sprintf("user%05d@contoso.com", i%4000)
		a.Time = start.Add(time.Duration(i) * 30 * 24 * time.Hour / time.Duration(n))
		a.Severity = sevs[i%7%3]
		a.Entities = append([]event.Entity{{Type: "principal", ID: a.Principal}}, a.Entities[1:]...)
		a.ID = event.AlertID(a.Detection, a.Tenant, a.Principal, fmt.Sprint(i))
		out[i] = a
	}
	return out
}

// BenchmarkListPage measures what the alerts page asks the server for on
// every load and refresh: one page of 50 alerts and the counts, through the
// real API over the SQLite store holding 100,000 alerts. Reported: server
// time per page (both requests) and the JSON payload, plain and gzipped.
func BenchmarkListPage(b *testing.B) {
	st, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	all := manyAlerts(b, benchAlerts)
	t0 := time.Now()
	for i := 0; i < len(all); i += 2000 {
		if _, err := st.Insert(context.Background(), all[i:min(i+2000, len(all))]); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("stored %d alerts in %s", len(all), time.Since(t0).Round(time.Millisecond))
	token, hash, err := api.NewToken()
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.API.Tokens = []config.Token{{Name: "bench", Role: "viewer", SHA256: hash}}
	srv, err := api.New(api.Options{Config: cfg, Store: st, Console: console.Handler()})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	for _, c := range []struct{ name, query string }{
		{"newest", ""},
		{"filtered", "severity=High&detection=impossible-travel&status=new"},
		{"text", "q=user01234"},
	} {
		for _, req := range []struct{ name, path string }{
			{"list", "/api/v1/alerts?limit=50&" + c.query},
			{"counts", "/api/v1/alerts/counts?" + c.query},
		} {
			b.Run(c.name+"/"+req.name, func(b *testing.B) {
				var body []byte
				for b.Loop() {
					body = serve(b, h, req.path, token)
				}
				b.ReportMetric(float64(len(body)), "B/resp")
				b.ReportMetric(float64(gzipped(body)), "gzB/resp")
			})
		}
	}
}

func serve(b *testing.B, h http.Handler, path, token string) []byte {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

func gzipped(p []byte) int {
	w := &countWriter{}
	z := gzip.NewWriter(w)
	z.Write(p)
	z.Close()
	return w.n
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
