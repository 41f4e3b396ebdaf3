package s3

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/vedette/vedette/internal/store"
)

type pending struct {
	key, etag string
	size      int64
	day       time.Time
}

// Poll reads the objects not read yet (or whose ETag changed) in (day,
// key) order, Concurrency at a time, and hands them to apply; their
// progress is saved once apply has returned nil.
func (s *Source) Poll(ctx context.Context, apply func(context.Context, []Object) error) error {
	todo, err := s.changed(ctx)
	if err != nil {
		return err
	}
	for len(todo) > 0 {
		n := min(len(todo), s.cfg.Concurrency)
		if err := s.group(ctx, todo[:n], apply); err != nil {
			return err
		}
		todo = todo[n:]
	}
	return nil
}

func (s *Source) changed(ctx context.Context) ([]pending, error) {
	prev, err := s.progress.BlobProgress(ctx, s.progressKey())
	if err != nil {
		return nil, err
	}
	var out []pending
	pager := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.cfg.Bucket, Prefix: aws.String(s.cfg.Prefix)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("s3: list %s: %w", s.cfg.Bucket, err)
		}
		for _, o := range page.Contents {
			if o.Key == nil {
				continue
			}
			s.Stats.Listed.Add(1)
			if strings.Contains(*o.Key, "/CloudTrail-Digest/") {
				continue // integrity digests, not events
			}
			p := pending{key: *o.Key, etag: aws.ToString(o.ETag), size: aws.ToInt64(o.Size)}
			day, ok := DayOf(p.key)
			if ok && !s.cfg.Start.IsZero() && day.Add(24*time.Hour).Before(s.cfg.Start) {
				continue
			}
			if pr, seen := prev[p.key]; seen && pr.ETag == p.etag {
				continue
			} else if seen && pr.ETag != "" {
				s.Stats.Resyncs.Add(1)
			}
			p.day = day
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].day.Equal(out[j].day) {
			return out[i].day.Before(out[j].day)
		}
		return out[i].key < out[j].key
	})
	return out, nil
}

func (s *Source) group(ctx context.Context, objs []pending, apply func(context.Context, []Object) error) error {
	out := make([]Object, len(objs))
	g, gctx := errgroup.WithContext(ctx)
	for i, p := range objs {
		g.Go(func() error {
			o, err := s.get(gctx, p)
			out[i] = o
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	progress := make([]store.BlobProgress, len(objs))
	for i, p := range objs {
		progress[i] = store.BlobProgress{Name: p.key, ETag: p.etag, Size: p.size, Offset: p.size}
		out[i].Next = progress[i]
	}
	if err := apply(ctx, out); err != nil {
		return err
	}
	return s.progress.SaveBlobProgress(ctx, s.progressKey(), progress)
}

func (s *Source) get(ctx context.Context, p pending) (Object, error) {
	o := Object{Source: "s3:" + s.cfg.Bucket + "/" + p.key, Day: p.day}
	if p.size > s.cfg.MaxObjectBytes {
		s.Stats.Rejected.Add(1)
		o.Err = fmt.Errorf("object of %d bytes, larger than %d", p.size, s.cfg.MaxObjectBytes)
		return o, nil
	}
	resp, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.cfg.Bucket, Key: &p.key, IfMatch: aws.String(p.etag)})
	if err != nil {
		return o, fmt.Errorf("s3: get %s: %w", o.Source, err)
	}
	defer resp.Body.Close()
	o.Data, err = io.ReadAll(io.LimitReader(resp.Body, s.cfg.MaxObjectBytes+1))
	if err != nil {
		return o, fmt.Errorf("s3: get %s: %w", o.Source, err)
	}
	if int64(len(o.Data)) > s.cfg.MaxObjectBytes {
		s.Stats.Rejected.Add(1)
		o.Data, o.Err = nil, fmt.Errorf("object larger than %d bytes", s.cfg.MaxObjectBytes)
		return o, nil
	}
	s.Stats.Objects.Add(1)
	s.Stats.Bytes.Add(int64(len(o.Data)))
	return o, nil
}
