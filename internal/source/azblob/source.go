package azblob

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"golang.org/x/sync/errgroup"

	"github.com/vedette/vedette/internal/store"
)

// Progress keeps how far each blob was read (the store).
type Progress interface {
	BlobProgress(ctx context.Context, source string) (map[string]store.BlobProgress, error)
	SaveBlobProgress(ctx context.Context, source string, progress []store.BlobProgress) error
}

// Batch is the complete records appended to one blob since the last poll.
type Batch struct {
	Source  string    // azblob:<account>/<container>/<blob name>
	Hour    time.Time // the hour the path names; zero outside the layout
	Shape   Shape
	First   int // records of the blob applied before these: Records[i] is record First+i+1
	Records []json.RawMessage
	Err     error // the blob (or this window of it) was set aside: not records, or a record too large
	// From is the progress the read started from (a resync starts from
	// the beginning), Next the progress once these records are applied:
	// a caller that applies them later than Poll's apply saves them itself.
	From, Next store.BlobProgress
	Key        string // the progress key: azblob:<account>/<container>
}

// Data is the batch as the file parsers read it: a {"records":[...]}
// document, or JSON lines.
func (b *Batch) Data() []byte {
	if b.Shape == ShapeWhole && len(b.Records) == 1 {
		return b.Records[0]
	}
	if b.Shape == ShapeLines {
		var out []byte
		for _, r := range b.Records {
			out = append(append(out, r...), '\n')
		}
		return out
	}
	return document(b.Records)
}

// Source polls a storage account's containers.
type Source struct {
	cfg      Config
	client   *azblob.Client
	account  string
	progress Progress
	log      *slog.Logger
	Stats    Stats
}

// New connects (lazily: nothing is requested before the first Poll).
func New(cfg Config, progress Progress, log *slog.Logger) (*Source, error) {
	cfg.defaults()
	if len(cfg.Containers) == 0 {
		return nil, errors.New("azblob: no container to read")
	}
	s := &Source{cfg: cfg, progress: progress, log: log}
	client, err := newClient(cfg, &s.Stats)
	if err != nil {
		return nil, err
	}
	s.client, s.account = client, accountOf(client.URL())
	return s, nil
}

// Name is the blob's name in evidence, rejections and progress.
func (s *Source) Name(container, blobName string) string {
	return "azblob:" + s.account + "/" + container + "/" + blobName
}

func (s *Source) progressKey(container string) string {
	return "azblob:" + s.account + "/" + container
}

// pending is a blob that changed since it was last read.
type pending struct {
	container, name, etag string
	size                  int64
	hour                  time.Time
	prev                  store.BlobProgress
}

// Poll reads what the containers gained since the last poll and hands it
// to apply, Concurrency blobs at a time in (hour, container, name)
// order; each group's progress is saved once apply has returned nil (at
// least once: a crash between the two re-applies that group). more says
// some blob had more new bytes than MaxReadBytes: poll again at once.
func (s *Source) Poll(ctx context.Context, apply func(context.Context, []Batch) error) (more bool, err error) {
	defer func() {
		s.Stats.LastPollNs.Store(time.Now().UnixNano())
		err = redactURL(err)
	}()
	var todo []pending
	for _, c := range s.cfg.Containers {
		p, err := s.changed(ctx, c)
		if err != nil {
			return false, err
		}
		todo = append(todo, p...)
	}
	sort.Slice(todo, func(i, j int) bool {
		a, b := todo[i], todo[j]
		if !a.hour.Equal(b.hour) {
			return a.hour.Before(b.hour)
		}
		return a.container+"/"+a.name < b.container+"/"+b.name
	})
	for len(todo) > 0 {
		n := min(len(todo), s.cfg.Concurrency)
		m, err := s.group(ctx, todo[:n], apply)
		if err != nil {
			return false, err
		}
		more = more || m
		todo = todo[n:]
	}
	return more, nil
}

// changed lists the container's blobs whose ETag differs from the one
// saved when each was last read to its end.
func (s *Source) changed(ctx context.Context, container string) ([]pending, error) {
	prev, err := s.progress.BlobProgress(ctx, s.progressKey(container))
	if err != nil {
		return nil, err
	}
	var out []pending
	pager := s.client.NewListBlobsFlatPager(container, &azblob.ListBlobsFlatOptions{Prefix: &s.cfg.Prefix})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("azblob: list %s: %w", container, err)
		}
		for _, it := range page.Segment.BlobItems {
			if it.Name == nil || it.Properties == nil || it.Properties.ETag == nil || it.Properties.ContentLength == nil {
				continue
			}
			s.Stats.Listed.Add(1)
			p := pending{container: container, name: *it.Name, etag: string(*it.Properties.ETag), size: *it.Properties.ContentLength}
			hour, inLayout := HourOf(p.name)
			if inLayout && !s.cfg.Start.IsZero() && !hour.Add(time.Hour).After(s.cfg.Start) {
				continue
			}
			p.hour, p.prev = hour, prev[p.name]
			if p.prev.ETag == p.etag {
				continue
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// group reads the blobs at once, applies their batches in order and saves
// their progress.
func (s *Source) group(ctx context.Context, blobs []pending, apply func(context.Context, []Batch) error) (bool, error) {
	batches := make([]Batch, len(blobs))
	next := make([]store.BlobProgress, len(blobs))
	more := make([]bool, len(blobs))
	g, gctx := errgroup.WithContext(ctx)
	for i, p := range blobs {
		g.Go(func() (err error) {
			batches[i], next[i], more[i], err = s.read(gctx, p)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return false, err
	}
	var out []Batch
	for i, b := range batches {
		if len(b.Records) > 0 || b.Err != nil {
			b.Next = next[i]
			out = append(out, b)
		}
	}
	if len(out) > 0 {
		if err := apply(ctx, out); err != nil {
			return false, err
		}
	}
	byContainer := map[string][]store.BlobProgress{}
	anyMore := false
	for i, p := range blobs {
		if next[i].Name != "" {
			byContainer[p.container] = append(byContainer[p.container], next[i])
		}
		anyMore = anyMore || more[i]
	}
	for c, ps := range byContainer {
		if err := s.progress.SaveBlobProgress(ctx, s.progressKey(c), ps); err != nil {
			return false, err
		}
	}
	return anyMore, nil
}

// download reads n bytes of the blob from off, if it still has the
// listed ETag; ok is false when it changed since (read at the next poll).
func (s *Source) download(ctx context.Context, p pending, off, n int64) (data []byte, ok bool, err error) {
	etag := azcore.ETag(p.etag)
	resp, err := s.client.DownloadStream(ctx, p.container, p.name, &azblob.DownloadStreamOptions{
		Range:            blob.HTTPRange{Offset: off, Count: n},
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: &etag}},
	})
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusPreconditionFailed {
		s.Stats.Conflicts.Add(1)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("azblob: read %s: %w", s.Name(p.container, p.name), err)
	}
	defer resp.Body.Close()
	data, err = io.ReadAll(io.LimitReader(resp.Body, n))
	if err != nil {
		return nil, false, fmt.Errorf("azblob: read %s: %w", s.Name(p.container, p.name), err)
	}
	s.Stats.Reads.Add(1)
	s.Stats.Bytes.Add(int64(len(data)))
	return data, true, nil
}

// shapeAt tells the shape of a blob from a window read at a record
// boundary: after a document's record only "," or "]" may follow.
func shapeAt(win []byte, off int64) Shape {
	if off == 0 {
		return sniffShape(win)
	}
	p := skipSpace(win, 0)
	if p < len(win) && (win[p] == ',' || win[p] == ']') {
		return ShapeDocument
	}
	if p < len(win) && strings.ContainsRune("{[", rune(win[p])) {
		return ShapeLines
	}
	return ShapeUnknown
}

// Keys are the progress keys of the containers read (Batch.Key).
func (s *Source) Keys() []string {
	keys := make([]string, len(s.cfg.Containers))
	for i, c := range s.cfg.Containers {
		keys[i] = s.progressKey(c)
	}
	return keys
}
