package runner

import (
	"context"
	"math"
	"time"

	"github.com/vedette/vedette/internal/store"
)

// pendingChunk is one read of a blob whose progress is not saved yet:
// held counts its items not applied yet (in a reorder buffer).
type pendingChunk struct {
	key        string
	whole      bool
	flows      bool
	from, next store.BlobProgress
	held       int
}

// tracker keeps, per blob, the reads not saved yet, and the replays a
// restart owes: the blobs whose progress was saved while some of their
// records were held.
type tracker struct {
	blobs  map[string]map[string][]*pendingChunk // key → blob → reads in order
	replay map[string]map[string]store.Replay
	// replaying are the streams with replays not done: until each has
	// caught up once, what was applied since the restart cannot be told
	// apart in the saved form, and no checkpoint is saved.
	replaying map[string]bool
}

func (t *tracker) load(ctx context.Context, st *store.Store, streams []string) error {
	t.blobs, t.replay, t.replaying = map[string]map[string][]*pendingChunk{}, map[string]map[string]store.Replay{}, map[string]bool{}
	for _, key := range streams {
		saved, err := st.BlobProgress(ctx, key)
		if err != nil {
			return err
		}
		for name, p := range saved {
			if p.Replay.Records > 0 {
				if t.replay[key] == nil {
					t.replay[key] = map[string]store.Replay{}
				}
				t.replay[key][name] = p.Replay
				t.replaying[key] = true
			}
		}
	}
	return nil
}

func (t *tracker) add(ch chunk) *pendingChunk {
	pc := &pendingChunk{key: ch.key, whole: ch.whole, from: ch.from, next: ch.next}
	if t.blobs[ch.key] == nil {
		t.blobs[ch.key] = map[string][]*pendingChunk{}
	}
	t.blobs[ch.key][ch.next.Name] = append(t.blobs[ch.key][ch.next.Name], pc)
	return pc
}

func (t *tracker) replayOf(ch chunk) (store.Replay, bool) {
	rp, ok := t.replay[ch.key][ch.next.Name]
	return rp, ok
}

// caughtUp: the stream's blobs were all read to their end since the
// restart, so its replays are done.
func (t *tracker) caughtUp(key string) {
	delete(t.replaying, key)
	delete(t.replay, key)
}

// rows is the progress to save with the state as it is now: a blob whose
// reads are all applied is saved as read; one with held records is saved
// from the start of its first read with held records, with what a
// restart must skip of it (cut: before it every item was applied, at and
// after it none). commit drops what was saved, once it is.
func (t *tracker) rows(cutEvents, cutFlows time.Time) (rows map[string][]store.BlobProgress, commit func()) {
	rows = map[string][]store.BlobProgress{}
	var done []func()
	for key, blobs := range t.blobs {
		for name, reads := range blobs {
			row, keep := blobRow(reads, cutEvents, cutFlows)
			rows[key] = append(rows[key], row)
			done = append(done, func() {
				if len(keep) == 0 {
					delete(blobs, name)
				} else {
					blobs[name] = keep
				}
			})
		}
	}
	return rows, func() {
		for _, f := range done {
			f()
		}
	}
}

func blobRow(reads []*pendingChunk, cutEvents, cutFlows time.Time) (store.BlobProgress, []*pendingChunk) {
	last := reads[len(reads)-1]
	for i, pc := range reads {
		if pc.held == 0 {
			continue
		}
		row := pc.from
		row.ETag = "" // read again
		row.Replay = store.Replay{Records: last.next.Records, Cut: cutEvents}
		if pc.flows {
			row.Replay.Cut = cutFlows
		}
		if pc.whole || row.Replay.Records == 0 {
			row.Replay.Records = math.MaxInt64 // every record of it
		}
		return row, reads[i:]
	}
	return last.next, nil
}

// checkpoint saves, in one transaction, the baselines, the network
// engine's state and the progress of every blob read: a kill at any time
// neither skips nor re-applies a record.
func (c *cloudPath) checkpoint(ctx context.Context) error {
	if len(c.tr.replaying) > 0 || !c.dirty {
		return nil
	}
	start := time.Now()
	c.env.stateMu.Lock()
	base, err := c.env.Baselines.MarshalTenants()
	var net map[string][]byte
	if err == nil {
		net, err = c.np.eng.SnapshotParts()
	}
	c.env.stateMu.Unlock()
	if err != nil {
		return err
	}
	rows, commit := c.tr.rows(c.events.Watermark(), c.flows.Watermark())
	states := map[string]map[string][]byte{stateName: base, netStateName: net}
	if err := c.env.Store.SaveCheckpoint(ctx, states, rows); err != nil {
		return err
	}
	commit()
	c.dirty = false
	c.c.Saves++
	c.c.SavedEvents, c.c.SavedFlows = c.c.Events, c.c.Flows
	c.env.observeStore("save_cloud_checkpoint", start)
	return nil
}
