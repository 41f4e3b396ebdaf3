package azblob

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vedette/vedette/internal/store"
)

// read reads the blob from its saved offset: at most MaxReadBytes, only
// complete records. A blob that no longer continues at its saved offset
// (rewritten, or smaller than before) is read again from the start, up to
// the saved offset plus MaxReadBytes, and the records already applied are
// skipped by count. It returns the progress to save (Name empty: none)
// and whether more bytes remain.
func (s *Source) read(ctx context.Context, p pending) (Batch, store.BlobProgress, bool, error) {
	b := Batch{Source: s.Name(p.container, p.name), Hour: p.hour, First: int(p.prev.Records),
		Key: s.progressKey(p.container), From: store.BlobProgress{Name: p.name, Size: p.prev.Size, Offset: p.prev.Offset, Records: p.prev.Records}}
	resync := p.size < p.prev.Offset || p.size < p.prev.Size
	for {
		off, limit := p.prev.Offset, s.cfg.MaxReadBytes
		if resync {
			off, limit = 0, limit+p.prev.Offset
		}
		n := min(p.size-off, limit)
		if n <= 0 {
			applied := p.prev.Records
			if resync {
				applied = 0 // the blob is empty now
			}
			return b, s.next(p, off, applied, true), false, nil
		}
		win, ok, err := s.download(ctx, p, off, n)
		if err != nil || !ok {
			return b, store.BlobProgress{}, false, err
		}
		b.Shape = shapeAt(win, off)
		cut, err := cutWindow(b.Shape, win, off == 0)
		if (errors.Is(err, errResync) || b.Shape == ShapeUnknown) && off > 0 {
			resync = true
			continue
		}
		if resync {
			s.Stats.Resyncs.Add(1)
			b.From = store.BlobProgress{Name: p.name}
		}
		whole := off+n == p.size
		if err != nil || len(cut.Records) == 0 && !whole && n == limit {
			if err == nil {
				err = fmt.Errorf("a record larger than %d bytes", s.cfg.MaxReadBytes)
			}
			s.Stats.Rejected.Add(1)
			b.Err = fmt.Errorf("%w (at byte %d)", err, off)
			return b, s.next(p, p.size, p.prev.Records, true), false, nil
		}
		if b.Shape == ShapeWhole {
			return s.whole(b, p, win)
		}
		recs := cut.Records
		if resync {
			b.First = min(int(p.prev.Records), len(recs))
			recs = recs[b.First:]
		}
		b.Records = recs
		s.Stats.Records.Add(int64(len(recs)))
		return b, s.next(p, off+cut.End, int64(b.First+len(recs)), whole), !whole, nil
	}
}

// whole hands on a blob that is not read by records, whole; it is read
// again from the start when it changes (Offset 0).
func (s *Source) whole(b Batch, p pending, win []byte) (Batch, store.BlobProgress, bool, error) {
	b.First, b.Records, b.From = 0, []json.RawMessage{win}, store.BlobProgress{Name: p.name}
	s.Stats.Records.Add(1)
	return b, s.next(p, 0, 0, true), false, nil
}

// next is the progress after reading to end (a byte offset at a record
// boundary) with applied records in all; the ETag is kept only when the
// read reached the blob's end, so that a blob read in part is read again.
func (s *Source) next(p pending, end, applied int64, whole bool) store.BlobProgress {
	np := store.BlobProgress{Name: p.name, Size: p.size, Offset: end, Records: applied}
	if whole {
		np.ETag = p.etag
	}
	return np
}
