// Package s3 reads log objects from an S3 bucket: CloudTrail's
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz, or any of
// Vedette's formats. Objects are written once; each is read whole, once
// (again only if its ETag changes), and progress is kept per object in
// the store's blob_progress table.
package s3

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vedette/vedette/internal/store"
)

// Config says which bucket and prefix to read. Credentials come from the
// SDK's default chain (environment, shared config, IAM role for service
// accounts, instance role); Endpoint (or AWS_ENDPOINT_URL_S3) selects an
// S3-compatible service, addressed by path.
type Config struct {
	Bucket         string
	Prefix         string
	Region         string
	Endpoint       string
	Start          time.Time // skip objects of days (from the key) before it
	MaxObjectBytes int64     // larger objects are set aside (default 256 MiB)
	Concurrency    int       // objects read at once (default 8)
}

// Stats are the source's counters.
type Stats struct {
	Listed    atomic.Int64
	Objects   atomic.Int64 // objects read
	Bytes     atomic.Int64
	Throttled atomic.Int64 // responses 429 or 503 (retried with backoff by the SDK)
	Rejected  atomic.Int64 // objects set aside (too large)
	Resyncs   atomic.Int64 // objects rewritten (ETag changed) after they were read: read again
}

// Object is one object's content, named s3:<bucket>/<key>.
type Object struct {
	Source string
	Day    time.Time
	Data   []byte
	Err    error
	// Next is the object's progress once its records are applied: a
	// caller that applies them later than Poll's apply saves it itself.
	Next store.BlobProgress
}

// Progress keeps which objects were read (the store).
type Progress interface {
	BlobProgress(ctx context.Context, source string) (map[string]store.BlobProgress, error)
	SaveBlobProgress(ctx context.Context, source string, progress []store.BlobProgress) error
}

// Source polls a bucket.
type Source struct {
	cfg      Config
	client   *s3.Client
	progress Progress
	log      *slog.Logger
	Stats    Stats
}

// countingClient counts throttling responses under the SDK's retryer.
type countingClient struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	n *atomic.Int64
}

func (c countingClient) Do(r *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(r)
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		c.n.Add(1)
	}
	return resp, err
}

// New loads the AWS configuration and builds the client.
func New(ctx context.Context, cfg Config, progress Progress, log *slog.Logger) (*Source, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3: no bucket")
	}
	if cfg.MaxObjectBytes <= 0 {
		cfg.MaxObjectBytes = 256 << 20
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	var opts []func(*awsconfig.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3: aws config: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	s := &Source{cfg: cfg, progress: progress, log: log}
	s.client = s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.DisableLogOutputChecksumValidationSkipped = true
		if o.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
		next := o.HTTPClient
		if next == nil {
			next = http.DefaultClient
		}
		o.HTTPClient = countingClient{next: next, n: &s.Stats.Throttled}
	})
	return s, nil
}

func (s *Source) progressKey() string { return "s3:" + s.cfg.Bucket }

// dayPath finds CloudTrail's /YYYY/MM/DD/ in a key.
var dayPath = regexp.MustCompile(`/(\d{4})/(\d{2})/(\d{2})/`)

// DayOf is the UTC day a key names, if any.
func DayOf(key string) (time.Time, bool) {
	m := dayPath.FindStringSubmatch(key)
	if m == nil {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), true
}

// Key is the bucket's progress key.
func (s *Source) Key() string { return s.progressKey() }
