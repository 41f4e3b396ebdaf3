package config

import (
	"strings"
	"testing"
	"time"
)

func TestSourcesValidate(t *testing.T) {
	ok := AzblobSource{ServiceURL: "https://acct.blob.core.windows.net/", Containers: []string{"insights-logs-flowlogflowevent"}}
	for _, tc := range []struct {
		name string
		src  Sources
		want string // "" valid
	}{
		{"entra", Sources{Azblob: []AzblobSource{ok}}, ""},
		{"connection string without url", Sources{Azblob: []AzblobSource{{ConnectionStringEnv: "X", Containers: []string{"c"}}}}, ""},
		{"two secrets", Sources{Azblob: []AzblobSource{{ServiceURL: ok.ServiceURL, AccountKeyEnv: "K", SASEnv: "S", Containers: []string{"c"}}}}, "at most one of"},
		{"no url", Sources{Azblob: []AzblobSource{{Containers: []string{"c"}}}}, "service_url"},
		{"no container", Sources{Azblob: []AzblobSource{{ServiceURL: ok.ServiceURL}}}, "containers: name at least one"},
		{"bad start", Sources{Azblob: []AzblobSource{{ServiceURL: ok.ServiceURL, Containers: []string{"c"}, Polling: Polling{StartTime: "yesterday"}}}}, "start_time"},
		{"tiny interval", Sources{S3: []S3Source{{Bucket: "b", Polling: Polling{PollInterval: time.Millisecond}}}}, "poll_interval"},
		{"concurrency", Sources{S3: []S3Source{{Bucket: "b", Polling: Polling{Concurrency: 65}}}}, "concurrency"},
		{"bucket path", Sources{S3: []S3Source{{Bucket: "b/AWSLogs"}}}, "not a bucket name"},
		{"same bucket twice", Sources{S3: []S3Source{{Bucket: "b"}, {Bucket: "b"}}}, "reads the same place as sources.s3[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.src.validate()
			switch {
			case tc.want == "" && len(errs) > 0:
				t.Fatalf("rejected: %v", errs)
			case tc.want != "" && (len(errs) == 0 || !strings.Contains(errs[0].Error(), tc.want)):
				t.Fatalf("errors %v, want %q", errs, tc.want)
			}
		})
	}
}

func TestSourcesLoad(t *testing.T) {
	cfg, err := Parse(strings.NewReader(`
sources:
  azblob:
    - service_url: https://acct.blob.core.windows.net/
      containers: [insights-logs-flowlogflowevent, insights-activity-logs]
      start_time: 2026-11-01
      poll_interval: 30s
  s3:
    - bucket: org-trail
      prefix: AWSLogs/
network:
  collector: {ipfix: [], netflow: []}
`))
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Sources.Azblob[0]
	if start, _ := a.Start(); !start.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || a.Interval() != 30*time.Second ||
		cfg.Sources.S3[0].Interval() != time.Minute || len(a.Containers) != 2 {
		t.Fatalf("sources %+v", cfg.Sources)
	}
}
