package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// receiver is a webhook consumer written from the Standard Webhooks
// specification alone, sharing no code with the sender: it verifies the
// signature and the timestamp tolerance and keeps the bodies by webhook-id.
type receiver struct {
	secret string // as the consumer is given it: "whsec_" + base64
	now    func() time.Time
	status func(n int) int // status to answer the n-th request (from 1); nil: 204

	mu       sync.Mutex
	requests int
	bodies   map[string][]byte // by webhook-id: duplicates collapse
	order    []string
	rejected []string
}

// verify checks one request's headers and body per the specification.
func (r *receiver) verify(h http.Header, body []byte) error {
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || ts == "" || sigs == "" {
		return errors.New("missing webhook headers")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("bad timestamp")
	}
	if d := r.now().Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp outside tolerance")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.secret, "whsec_"))
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	io.WriteString(mac, id+"."+ts+"."+string(body))
	want := mac.Sum(nil)
	for _, s := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no valid signature")
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if err := r.verify(req.Header, body); err != nil {
		r.rejected = append(r.rejected, err.Error())
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if r.status != nil {
		if code := r.status(r.requests); code >= 300 {
			if code == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "7")
			}
			w.WriteHeader(code)
			return
		}
	}
	id := req.Header.Get("webhook-id")
	if _, dup := r.bodies[id]; !dup {
		r.order = append(r.order, id)
	}
	r.bodies[id] = body
	w.WriteHeader(http.StatusNoContent)
}
