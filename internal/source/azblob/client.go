// Package azblob reads logs where Azure delivers them to a storage
// account: NSG and VNet flow logs, and diagnostic settings' activity,
// sign-in and audit logs, one blob per resource and hour
// (resourceId=/SUBSCRIPTIONS/.../y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json)
// that grows all hour. Each poll reads only the bytes appended since the
// last complete record applied, as kept per blob in the store.
package azblob

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
)

// Config says which storage account and containers to read and how to
// authenticate. Exactly one of ConnectionString, AccountKey, SAS or
// neither (Entra: workload identity, managed identity, or the Azure CLI
// through azidentity's default chain) is used.
type Config struct {
	// ServiceURL is the account's blob endpoint,
	// https://<account>.blob.core.windows.net/ (not needed with a
	// connection string).
	ServiceURL       string
	ConnectionString string
	AccountKey       string // with ServiceURL; the account name is read from it
	SAS              string // a SAS token (without "?") for ServiceURL
	Containers       []string
	Prefix           string        // only blobs whose names start with it
	Start            time.Time     // skip blobs of hours that ended before it
	MaxReadBytes     int64         // most bytes read from one blob per poll (default 64 MiB)
	Concurrency      int           // blobs read at once (default 4)
	Retries          int32         // retries of a throttled or failed request (default 6)
	RetryDelay       time.Duration // first retry delay, doubled each time (default 1s)
}

// Stats are the source's counters, safe to read at any time.
type Stats struct {
	Listed     atomic.Int64 // blobs listed
	Reads      atomic.Int64 // ranged reads
	Bytes      atomic.Int64 // bytes read
	Records    atomic.Int64 // complete records handed on
	Throttled  atomic.Int64 // responses 429 or 503 (each retried with backoff)
	Resyncs    atomic.Int64 // blobs rewritten before their saved offset, read again from the start
	Rejected   atomic.Int64 // blobs or windows set aside (not records, record larger than MaxReadBytes)
	Conflicts  atomic.Int64 // blobs that changed between listing and reading (read next poll)
	LastPollNs atomic.Int64
}

func (c *Config) defaults() {
	if c.MaxReadBytes <= 0 {
		c.MaxReadBytes = 64 << 20
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.Retries <= 0 {
		c.Retries = 6
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = time.Second
	}
}

// throttleCounter counts throttling responses; the SDK's retry policy
// (which runs around it) backs off and retries them.
type throttleCounter struct{ n *atomic.Int64 }

func (t throttleCounter) Do(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		t.n.Add(1)
	}
	return resp, err
}

// newClient builds the SDK client for cfg.
func newClient(cfg Config, stats *Stats) (*azblob.Client, error) {
	opts := &azblob.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry: policy.RetryOptions{MaxRetries: cfg.Retries, RetryDelay: cfg.RetryDelay, MaxRetryDelay: 60 * time.Second,
			StatusCodes: []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusInternalServerError,
				http.StatusBadGateway, http.StatusGatewayTimeout, http.StatusRequestTimeout}},
		PerRetryPolicies: []policy.Policy{throttleCounter{&stats.Throttled}},
	}}
	switch {
	case cfg.ConnectionString != "":
		return azblob.NewClientFromConnectionString(cfg.ConnectionString, opts)
	case cfg.ServiceURL == "":
		return nil, errors.New("azblob: a service URL or a connection string is required")
	case cfg.AccountKey != "":
		cred, err := azblob.NewSharedKeyCredential(accountOf(cfg.ServiceURL), cfg.AccountKey)
		if err != nil {
			return nil, fmt.Errorf("azblob: account key: %w", err)
		}
		return azblob.NewClientWithSharedKeyCredential(cfg.ServiceURL, cred, opts)
	case cfg.SAS != "":
		return azblob.NewClientWithNoCredential(strings.TrimSuffix(cfg.ServiceURL, "/")+"/?"+strings.TrimPrefix(cfg.SAS, "?"), opts)
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, fmt.Errorf("azblob: entra credential: %w", err)
	}
	return azblob.NewClient(cfg.ServiceURL, cred, opts)
}

// accountOf is the storage account named by a blob endpoint: the first
// label of <account>.blob.core.windows.net, or the first path segment of
// an emulator's http://127.0.0.1:10000/<account>.
func accountOf(serviceURL string) string {
	u, err := url.Parse(serviceURL)
	if err != nil {
		return ""
	}
	if seg, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/"); seg != "" {
		return seg
	}
	host, _, _ := strings.Cut(u.Hostname(), ".")
	return host
}

// redactURL drops the query of the request URL a transport error names:
// with SAS authentication it holds the token's signature, which must not
// reach the logs. The wrapping errors' messages were formatted already,
// so the message is rewritten as well as the *url.Error.
func redactURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	orig, red := ue.URL, "(unparsable URL)"
	if u, perr := url.Parse(orig); perr == nil {
		if u.RawQuery == "" {
			return err
		}
		u.RawQuery = "REDACTED"
		red = u.String()
	}
	msg := strings.ReplaceAll(err.Error(), orig, red)
	ue.URL = red
	return redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Unwrap() error { return e.err }
