package azblob_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/source/azblob"
	"github.com/vedette/vedette/internal/store"
)

// TestPollErrorHidesSASSignature: a poll that cannot reach the endpoint
// fails with an error serve logs; with SAS authentication the request
// URL's query is the token, so the error names the request without it.
func TestPollErrorHidesSASSignature(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Port 1 on loopback: nothing listens, the connection is refused.
	cfg := azblob.Config{ServiceURL: "http://127.0.0.1:1/devstoreaccount1", SAS: "sv=2022-11-02&sp=rl&sig=c2VjcmV0c2lnbmF0dXJl",
		Containers: []string{"insights-logs"}, Retries: 0, RetryDelay: time.Millisecond}
	src, err := azblob.New(cfg, st, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = src.Poll(ctx, func(context.Context, []azblob.Batch) error { return nil })
	if err == nil {
		t.Fatal("poll of a closed port succeeded")
	}
	if msg := err.Error(); strings.Contains(msg, "c2VjcmV0c2lnbmF0dXJl") || !strings.Contains(msg, "/devstoreaccount1/insights-logs") {
		t.Fatalf("error %q: want the request named without the SAS signature", msg)
	}
}
