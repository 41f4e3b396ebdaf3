package runner

import (
	"context"
	"fmt"
	"maps"
	"os"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/source/azblob"
	"github.com/vedette/vedette/internal/source/s3"
	"github.com/vedette/vedette/internal/store"
)

// chunk is what a poller hands the cloud path: the new records of one
// blob or object, or (caughtUp) the news that a stream has nothing more
// for now.
type chunk struct {
	key   string // the progress key and reorder stream: azblob:<account>/<container>, s3:<bucket>
	name  string // the blob's full name in evidence: <key>/<blob>
	data  []byte
	first int  // records of the blob before these
	whole bool // read whole (an S3 object, a blob not read by records)
	// from is the progress the read started from, next the progress once
	// the records are applied.
	from, next store.BlobProgress
	err        error // set aside (too large, not records)
	caughtUp   bool
	// failed marks the stream idle without having caught up: its poll
	// failed, so it holds no other stream's records back meanwhile.
	failed bool
	// period is the hour (Azure) or day (S3) the blob's path names; a
	// barrier says every blob of the periods before has been handed on.
	period  time.Time
	barrier bool
}

// poller is one configured cloud-storage source.
type poller interface {
	// Poll reads what changed since the last poll and hands it to emit in
	// (hour or day, name) order; more says it stopped early (bounded reads).
	Poll(ctx context.Context, emit func(chunk) error) (more bool, err error)
	Streams() []string
	Counters() sourceCounters
	Interval() time.Duration
}

// sourceCounters are a source's counters for the metrics.
type sourceCounters struct {
	Listed, Reads, Bytes, Throttled, Resyncs, Rejected int64
}

// memProgress is a poller's progress: what it has read, loaded from the
// store once and then kept in memory. The cloud path saves to the store
// only what has been applied.
type memProgress struct {
	st   *store.Store
	read map[string]map[string]store.BlobProgress
}

func (m *memProgress) BlobProgress(ctx context.Context, key string) (map[string]store.BlobProgress, error) {
	if m.read[key] == nil {
		saved, err := m.st.BlobProgress(ctx, key)
		if err != nil {
			return nil, err
		}
		m.read[key] = saved
	}
	return maps.Clone(m.read[key]), nil
}

func (m *memProgress) SaveBlobProgress(_ context.Context, key string, ps []store.BlobProgress) error {
	for _, p := range ps {
		m.read[key][p.Name] = p
	}
	return nil
}

type azPoller struct {
	src   *azblob.Source
	every time.Duration
}

func (p *azPoller) Poll(ctx context.Context, emit func(chunk) error) (bool, error) {
	return p.src.Poll(ctx, func(_ context.Context, bs []azblob.Batch) error {
		for _, b := range bs {
			ch := chunk{key: b.Key, name: b.Source, first: b.First, whole: b.Shape == azblob.ShapeWhole,
				from: b.From, next: b.Next, err: b.Err, period: b.Hour}
			if b.Err == nil {
				ch.data = b.Data()
			}
			if err := emit(ch); err != nil {
				return err
			}
		}
		return nil
	})
}

func (p *azPoller) Streams() []string       { return p.src.Keys() }
func (p *azPoller) Interval() time.Duration { return p.every }
func (p *azPoller) Counters() sourceCounters {
	s := &p.src.Stats
	return sourceCounters{Listed: s.Listed.Load(), Reads: s.Reads.Load(), Bytes: s.Bytes.Load(), Throttled: s.Throttled.Load(),
		Resyncs: s.Resyncs.Load() + s.Conflicts.Load(), Rejected: s.Rejected.Load()}
}

type s3Poller struct {
	src   *s3.Source
	every time.Duration
}

func (p *s3Poller) Poll(ctx context.Context, emit func(chunk) error) (bool, error) {
	return false, p.src.Poll(ctx, func(_ context.Context, objs []s3.Object) error {
		for _, o := range objs {
			ch := chunk{key: p.src.Key(), name: o.Source, data: o.Data, whole: true, next: o.Next, err: o.Err,
				from: store.BlobProgress{Name: o.Next.Name}, period: o.Day}
			if err := emit(ch); err != nil {
				return err
			}
		}
		return nil
	})
}

func (p *s3Poller) Streams() []string       { return []string{p.src.Key()} }
func (p *s3Poller) Interval() time.Duration { return p.every }
func (p *s3Poller) Counters() sourceCounters {
	s := &p.src.Stats
	return sourceCounters{Listed: s.Listed.Load(), Reads: s.Objects.Load(), Bytes: s.Bytes.Load(), Throttled: s.Throttled.Load(),
		Resyncs: s.Resyncs.Load(), Rejected: s.Rejected.Load()}
}

// openPollers builds a poller per configured source, each with its own
// in-memory progress over the store.
func (env *Env) openPollers(ctx context.Context, cfg config.Sources) ([]poller, error) {
	var out []poller
	for i, a := range cfg.Azblob {
		c, err := azblobSourceConfig(a)
		if err != nil {
			return nil, fmt.Errorf("sources.azblob[%d]: %w", i, err)
		}
		src, err := azblob.New(c, &memProgress{st: env.Store, read: map[string]map[string]store.BlobProgress{}}, env.log)
		if err != nil {
			return nil, fmt.Errorf("sources.azblob[%d]: %w", i, err)
		}
		out = append(out, &azPoller{src: src, every: a.Interval()})
	}
	for i, b := range cfg.S3 {
		start, _ := b.Start() // validated
		c := s3.Config{Bucket: b.Bucket, Prefix: b.Prefix, Region: b.Region, Endpoint: b.Endpoint, Start: start,
			MaxObjectBytes: b.MaxBlobBytes, Concurrency: b.Concurrency}
		src, err := s3.New(ctx, c, &memProgress{st: env.Store, read: map[string]map[string]store.BlobProgress{}}, env.log)
		if err != nil {
			return nil, fmt.Errorf("sources.s3[%d]: %w", i, err)
		}
		out = append(out, &s3Poller{src: src, every: b.Interval()})
	}
	return out, nil
}

// azblobSourceConfig is the source's configuration with its secrets read
// from the environment variables it names.
func azblobSourceConfig(a config.AzblobSource) (azblob.Config, error) {
	start, err := a.Start()
	if err != nil {
		return azblob.Config{}, err
	}
	c := azblob.Config{ServiceURL: a.ServiceURL, Containers: a.Containers, Prefix: a.Prefix, Start: start,
		MaxReadBytes: a.MaxBlobBytes, Concurrency: a.Concurrency}
	for _, s := range []struct {
		env string
		dst *string
	}{{a.ConnectionStringEnv, &c.ConnectionString}, {a.AccountKeyEnv, &c.AccountKey}, {a.SASEnv, &c.SAS}} {
		if *s.dst, err = config.Secret(os.Getenv, s.env); err != nil {
			return c, err
		}
	}
	return c, nil
}
