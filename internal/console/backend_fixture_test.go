package console_test

import (
	"net/http/httptest"
	"testing"
)

type backend struct {
	URL, Token string
}

func startBackend(t *testing.T) *backend {
	srv := httptest.NewServer(newFixture(t))
	t.Cleanup(srv.Close)
	return &backend{URL: srv.URL, Token: "fixture-token"}
}
