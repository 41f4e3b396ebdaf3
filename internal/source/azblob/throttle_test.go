package azblob_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdk "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/vedette/vedette/internal/source/azblob"
	"github.com/vedette/vedette/internal/source/azblob/azuritetest"
	"github.com/vedette/vedette/internal/store"
)

// TestThrottlingBacksOffAndCounts: a proxy in front of Azurite answers
// 503 and 429 (as a storage account over its limits does) to the first
// requests; the poll backs off, retries, counts them and reads
// everything.
func TestThrottlingBacksOffAndCounts(t *testing.T) {
	srv := azuritetest.Start(t)
	client, err := sdk.NewClientFromConnectionString(srv.ConnectionString, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateContainer(context.Background(), nsgContainer, nil); err != nil {
		t.Fatal(err)
	}
	h := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	w := &flowLogWriter{client: client, name: nsgBlobName("NSG1", h)}
	w.add(t, nsgRecord("NSG1", h, "203.0.113.10", 2), nsgRecord("NSG1", h.Add(time.Minute), "203.0.113.10", 2))

	target, _ := url.Parse(srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	var n atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			http.Error(rw, "ServerBusy", http.StatusServiceUnavailable)
		case 2, 4:
			http.Error(rw, "TooManyRequests", http.StatusTooManyRequests)
		default:
			proxy.ServeHTTP(rw, r)
		}
	}))
	defer front.Close()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := azblob.Config{ConnectionString: strings.Replace(srv.ConnectionString, srv.URL, front.URL+"/"+azuritetest.Account, 1),
		Containers: []string{nsgContainer}, RetryDelay: 10 * time.Millisecond}
	src, err := azblob.New(cfg, st, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	s := &seen{t: t, records: map[string]string{}}
	poll(t, src, s)
	if got := src.Stats.Throttled.Load(); got != 3 || len(s.records) != 2 {
		t.Fatalf("throttled %d (want 3), %d records (want 2)", got, len(s.records))
	}
}
