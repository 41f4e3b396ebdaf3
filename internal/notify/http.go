package notify

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// RetryAfter is a retryable failure whose receiver said when to come back
// (HTTP Retry-After); the delivery loop waits at least that long.
type RetryAfter struct {
	After time.Duration
	Err   error
}

func (e *RetryAfter) Error() string { return e.Err.Error() }
func (e *RetryAfter) Unwrap() error { return e.Err }

// HTTPClient returns a client with the TLS settings that never follows
// redirects: a webhook receiver that moved must be reconfigured, not
// chased (Standard Webhooks, "Delivery success and failure").
func HTTPClient(t TLS) (*http.Client, error) {
	tc, err := t.Config()
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// Do sends req and classifies the outcome: 2xx is success; network errors,
// 408, 425, 429 and 5xx are worth retrying; any other status (3xx, 4xx,
// 410 Gone) is permanent. The response body is drained so the connection
// can be reused; up to 512 bytes of it go into the error, which names the
// receiver by Endpoint only.
func Do(c *http.Client, req *http.Request) (retry bool, err error) {
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = fmt.Errorf("%s %s: %w", ue.Op, Endpoint(req.URL), ue.Err)
		}
		return true, err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return false, nil
	}
	err = fmt.Errorf("%s: %s: %q", Endpoint(req.URL), resp.Status, snippet)
	switch code := resp.StatusCode; {
	case code == http.StatusRequestTimeout, code == http.StatusTooEarly, code == http.StatusTooManyRequests, code >= 500:
		if after := retryAfter(resp.Header.Get("Retry-After")); after > 0 {
			return true, &RetryAfter{After: after, Err: err}
		}
		return true, err
	}
	return false, err
}

// Endpoint names a receiver in errors, logs and dead letters: scheme and
// host only, as a chat webhook's path (Slack, Teams) is its credential.
func Endpoint(u *url.URL) string { return u.Scheme + "://" + u.Host }

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// ErrNoURL is returned by Validate when an HTTP output has no URL.
var ErrNoURL = errors.New("url is required")
