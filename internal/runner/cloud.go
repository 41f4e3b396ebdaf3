package runner

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flowlog"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/source/azblob"
	"github.com/vedette/vedette/internal/source/s3"
	"github.com/vedette/vedette/internal/store"
)

// offsetSink numbers the records of a blob's new part as records of the
// whole blob.
type offsetSink struct {
	normalize.Sink
	first int
}

func (o offsetSink) Event(e *event.Event) {
	e.Origin.Record += o.first
	o.Sink.Event(e)
}

func (o offsetSink) Reject(r normalize.Rejection) {
	if r.Record > 0 {
		r.Record += o.first
	}
	o.Sink.Reject(r)
}

// splitCloud separates cloud-storage URLs from file names.
func splitCloud(args []string) (files, urls []string) {
	for _, a := range args {
		if IsCloudURL(a) {
			urls = append(urls, a)
		} else {
			files = append(files, a)
		}
	}
	return files, urls
}

// IsCloudURL says whether a detect argument names cloud storage
// (azblob://<account>/<container>[/<prefix>], s3://<bucket>[/<prefix>])
// rather than a file.
func IsCloudURL(arg string) bool {
	return strings.HasPrefix(arg, "azblob://") || strings.HasPrefix(arg, "s3://")
}

// AzblobConfig reads azblob://<account>/<container>[/<prefix>] and the
// credentials from the environment: AZURE_STORAGE_CONNECTION_STRING, or
// AZURE_STORAGE_KEY, or AZURE_STORAGE_SAS_TOKEN, or else Entra
// (azidentity's default chain: workload identity, managed identity, Azure
// CLI). AZURE_STORAGE_BLOB_ENDPOINT replaces the account's public
// endpoint (a private endpoint, sovereign clouds, an emulator).
func AzblobConfig(raw string) (azblob.Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "azblob" || u.Host == "" {
		return azblob.Config{}, fmt.Errorf("%q: want azblob://<account>/<container>[/<prefix>]", raw)
	}
	container, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if container == "" {
		return azblob.Config{}, fmt.Errorf("%q: no container", raw)
	}
	cfg := azblob.Config{
		ServiceURL: "https://" + u.Host + ".blob.core.windows.net/", Containers: []string{container}, Prefix: prefix,
		ConnectionString: os.Getenv("AZURE_STORAGE_CONNECTION_STRING"), AccountKey: os.Getenv("AZURE_STORAGE_KEY"),
		SAS: os.Getenv("AZURE_STORAGE_SAS_TOKEN"),
	}
	if ep := os.Getenv("AZURE_STORAGE_BLOB_ENDPOINT"); ep != "" {
		cfg.ServiceURL = ep
	}
	cfg.Start, err = startOf(u)
	return cfg, err
}

// startOf reads ?start=2026-11-01 (or an RFC 3339 time): blobs of hours,
// objects of days, that ended before it are not read.
func startOf(u *url.URL) (time.Time, error) {
	v := u.Query().Get("start")
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: start=%q: want 2006-01-02 or RFC 3339", u.Redacted(), v)
}

// pendingProgress holds the blobs' progress until the run has stored
// what was read from them: a run that fails reads them again.
type pendingProgress struct {
	store *store.Store
	saves map[string][]store.BlobProgress
}

func (p *pendingProgress) BlobProgress(ctx context.Context, source string) (map[string]store.BlobProgress, error) {
	saved, err := p.store.BlobProgress(ctx, source)
	if err != nil {
		return nil, err
	}
	for _, bp := range p.saves[source] {
		saved[bp.Name] = bp
	}
	return saved, nil
}

func (p *pendingProgress) SaveBlobProgress(_ context.Context, source string, progress []store.BlobProgress) error {
	p.saves[source] = append(p.saves[source], progress...)
	return nil
}

func (p *pendingProgress) commit(ctx context.Context) error {
	for source, ps := range p.saves {
		if err := p.store.SaveBlobProgress(ctx, source, ps); err != nil {
			return err
		}
	}
	return nil
}

// readCloud reads what each cloud URL's blobs gained since the last run
// of this data directory, as sources for the activity and flow paths.
func (env *Env) readCloud(ctx context.Context, urls []string, c *collector) (activity, flows []*source, prog *pendingProgress) {
	prog = &pendingProgress{store: env.Store, saves: map[string][]store.BlobProgress{}}
	for _, raw := range urls {
		read := env.readAzblob
		if strings.HasPrefix(raw, "s3://") {
			read = env.readS3
		}
		if err := read(ctx, raw, prog, c, &activity, &flows); err != nil {
			c.inputFailed(raw, err, env)
		}
	}
	return activity, flows, prog
}

func (env *Env) readAzblob(ctx context.Context, raw string, prog *pendingProgress, c *collector, activity, flows *[]*source) error {
	cfg, err := AzblobConfig(raw)
	if err != nil {
		return err
	}
	src, err := azblob.New(cfg, prog, env.log)
	if err != nil {
		return err
	}
	apply := func(_ context.Context, batches []azblob.Batch) error {
		for _, b := range batches {
			if b.Err != nil {
				c.Reject(normalize.Rejection{Source: b.Source, Record: b.First + 1, Reason: "blob-set-aside", Detail: b.Err.Error()})
				continue
			}
			s := &source{name: b.Source, data: b.Data(), first: b.First}
			if b.Shape == azblob.ShapeDocument && isFlowDocument(s) {
				*flows = append(*flows, s)
			} else {
				*activity = append(*activity, s)
			}
		}
		return nil
	}
	for more := true; more; {
		if more, err = src.Poll(ctx, apply); err != nil {
			return err
		}
	}
	return nil
}

// readS3 reads the objects of s3://<bucket>[/<prefix>] not read yet.
func (env *Env) readS3(ctx context.Context, raw string, prog *pendingProgress, c *collector, activity, flows *[]*source) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q: want s3://<bucket>[/<prefix>]", raw)
	}
	start, err := startOf(u)
	if err != nil {
		return err
	}
	src, err := s3.New(ctx, s3.Config{Bucket: u.Host, Prefix: strings.TrimPrefix(u.Path, "/"), Start: start}, prog, env.log)
	if err != nil {
		return err
	}
	return src.Poll(ctx, func(_ context.Context, objs []s3.Object) error {
		for _, o := range objs {
			if o.Err != nil {
				c.Reject(normalize.Rejection{Source: o.Source, Reason: "blob-set-aside", Detail: o.Err.Error()})
				continue
			}
			s := &source{name: o.Source, data: o.Data}
			if isFlowDocument(s) {
				*flows = append(*flows, s)
			} else {
				*activity = append(*activity, s)
			}
		}
		return nil
	})
}

// isFlowDocument sniffs a blob's records as a flow log.
func isFlowDocument(s *source) bool {
	in, err := s.open()
	if err != nil {
		return false
	}
	defer in.Close()
	return flowlog.IsFlowLogHead(in.Head())
}
