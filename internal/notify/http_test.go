package notify

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDoKeepsURLSecretsOutOfErrors: a chat webhook's URL path is its
// credential (Slack's /services/T…/B…/<secret>). Delivery errors end up in
// logs and in the dead letters every API viewer may read, so they name the
// receiver by scheme and host only, for a refusal and for a network error.
func TestDoKeepsURLSecretsOutOfErrors(t *testing.T) {
	const secret = "s3cr3tXoXoXo"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no_team", http.StatusNotFound)
	}))
	path := "/services/T000/B000/" + secret + "?token=" + secret
	c := srv.Client()
	for _, tc := range []struct {
		name      string
		wantRetry bool
	}{{"refused", false}, {"network", true}} {
		if tc.name == "network" {
			srv.Close()
		}
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		retry, err := Do(c, req)
		if err == nil || retry != tc.wantRetry {
			t.Fatalf("%s: retry %v, err %v", tc.name, retry, err)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error shows the URL's secret: %v", tc.name, err)
		}
		if !strings.Contains(err.Error(), srv.Listener.Addr().String()) {
			t.Errorf("%s: error does not name the receiver: %v", tc.name, err)
		}
	}
	srv.Close()
}
