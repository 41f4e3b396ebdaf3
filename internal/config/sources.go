package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Sources are the cloud-storage locations `vedette serve` polls: Azure
// storage accounts where Network Watcher and diagnostic settings deliver
// logs, and S3 buckets where CloudTrail does. Their records go through the
// same network engine and activity pipeline as files, UDP and Kafka.
type Sources struct {
	Azblob []AzblobSource `yaml:"azblob"`
	S3     []S3Source     `yaml:"s3"`
}

// Polling is what every polled source shares.
type Polling struct {
	// Prefix limits the listing to names starting with it.
	Prefix string `yaml:"prefix"`
	// StartTime skips blobs of hours (objects of days) that ended before
	// it: 2026-11-01 or RFC 3339. Empty: everything.
	StartTime string `yaml:"start_time"`
	// PollInterval is the wait between listings. Default 1m.
	PollInterval time.Duration `yaml:"poll_interval"`
	// MaxBlobBytes is the most bytes read from one blob per read (a larger
	// S3 object is set aside). Default 64 MiB (Azure), 256 MiB (S3).
	MaxBlobBytes int64 `yaml:"max_blob_bytes"`
	// Concurrency is how many blobs are read at once. Default 4 (Azure), 8 (S3).
	Concurrency int `yaml:"concurrency"`
}

// AzblobSource is one storage account's containers.
type AzblobSource struct {
	// ServiceURL is the account's blob endpoint,
	// https://<account>.blob.core.windows.net/ (not needed with a
	// connection string).
	ServiceURL string `yaml:"service_url"`
	// At most one of these names the environment variable holding the
	// secret; with none, Entra (workload or managed identity, Azure CLI)
	// through azidentity's default chain.
	ConnectionStringEnv string   `yaml:"connection_string_env"`
	AccountKeyEnv       string   `yaml:"account_key_env"`
	SASEnv              string   `yaml:"sas_env"`
	Containers          []string `yaml:"containers"`
	Polling             `yaml:",inline"`
}

// S3Source is one bucket. Credentials come from the AWS SDK's default
// chain (environment, shared config, IRSA, instance role).
type S3Source struct {
	Bucket   string `yaml:"bucket"`
	Region   string `yaml:"region"`
	Endpoint string `yaml:"endpoint"` // an S3-compatible service (path-style)
	Polling  `yaml:",inline"`
}

// Configured reports whether serve polls any cloud storage.
func (s Sources) Configured() bool { return len(s.Azblob)+len(s.S3) > 0 }

// Start is StartTime parsed (zero when empty).
func (p Polling) Start() (time.Time, error) {
	if p.StartTime == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, p.StartTime); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("start_time %q: want 2006-01-02 or RFC 3339", p.StartTime)
}

// Interval is PollInterval or its default.
func (p Polling) Interval() time.Duration {
	if p.PollInterval <= 0 {
		return time.Minute
	}
	return p.PollInterval
}

func (p Polling) validate(where string) []error {
	var errs []error
	if _, err := p.Start(); err != nil {
		errs = append(errs, fmt.Errorf("%s.%w", where, err))
	}
	if p.PollInterval < 0 || p.PollInterval > 0 && p.PollInterval < 10*time.Millisecond {
		errs = append(errs, fmt.Errorf("%s.poll_interval: %s must be at least 10ms", where, p.PollInterval))
	}
	if p.MaxBlobBytes < 0 || p.MaxBlobBytes > 1<<30 {
		errs = append(errs, fmt.Errorf("%s.max_blob_bytes: %d is outside [0, 1 GiB]", where, p.MaxBlobBytes))
	}
	if p.Concurrency < 0 || p.Concurrency > 64 {
		errs = append(errs, fmt.Errorf("%s.concurrency: %d is outside [0, 64]", where, p.Concurrency))
	}
	return errs
}

func (s AzblobSource) validate(where string) []error {
	errs := s.Polling.validate(where)
	secrets := 0
	for _, v := range []string{s.ConnectionStringEnv, s.AccountKeyEnv, s.SASEnv} {
		if v != "" {
			secrets++
		}
	}
	if secrets > 1 {
		errs = append(errs, fmt.Errorf("%s: at most one of connection_string_env, account_key_env, sas_env", where))
	}
	if s.ConnectionStringEnv == "" {
		if u, err := url.Parse(s.ServiceURL); s.ServiceURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s.service_url: %q: want https://<account>.blob.core.windows.net/ (or a connection_string_env)", where, s.ServiceURL))
		}
	}
	if len(s.Containers) == 0 {
		errs = append(errs, fmt.Errorf("%s.containers: name at least one container", where))
	}
	for i, c := range s.Containers {
		if c == "" || strings.ContainsAny(c, "/ ") {
			errs = append(errs, fmt.Errorf("%s.containers[%d]: %q is not a container name", where, i, c))
		}
	}
	return errs
}

func (s S3Source) validate(where string) []error {
	errs := s.Polling.validate(where)
	if s.Bucket == "" || strings.ContainsAny(s.Bucket, "/ ") {
		errs = append(errs, fmt.Errorf("%s.bucket: %q is not a bucket name", where, s.Bucket))
	}
	if s.Endpoint != "" {
		if u, err := url.Parse(s.Endpoint); err != nil || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s.endpoint: %q is not a URL", where, s.Endpoint))
		}
	}
	return errs
}

func (s Sources) validate() []error {
	var errs []error
	seen := map[string]string{}
	dup := func(key, where string) {
		if prev, ok := seen[key]; ok {
			errs = append(errs, fmt.Errorf("%s: reads the same place as %s: progress would be shared", where, prev))
		}
		seen[key] = where
	}
	for i, a := range s.Azblob {
		where := fmt.Sprintf("sources.azblob[%d]", i)
		errs = append(errs, a.validate(where)...)
		for _, c := range a.Containers {
			dup("azblob:"+a.ServiceURL+a.ConnectionStringEnv+"/"+c, where)
		}
	}
	for i, b := range s.S3 {
		where := fmt.Sprintf("sources.s3[%d]", i)
		errs = append(errs, b.validate(where)...)
		dup("s3:"+b.Endpoint+"/"+b.Bucket, where)
	}
	return errs
}

// errNoSecret is returned when a named environment variable is empty.
var errNoSecret = errors.New("is empty or unset")

// Secret reads the environment variable name names (through getenv).
func Secret(getenv func(string) string, name string) (string, error) {
	if name == "" {
		return "", nil
	}
	v := getenv(name)
	if v == "" {
		return "", fmt.Errorf("environment variable %s %w", name, errNoSecret)
	}
	return v, nil
}
