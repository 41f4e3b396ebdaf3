package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/source/kafka"
	"github.com/vedette/vedette/internal/store"
)

// detectRole is serve's detect role (docs/SCALEOUT.md): a member of the
// consumer group over the internal topics. Each partition it owns has its
// own detection state; the state, the offset of the next message and the
// alerts raised are committed together in one store transaction, and a
// new owner loads them and reads on from that offset. Kafka's committed
// offsets are not used.
type detectRole struct {
	env   *Env
	cfg   config.Cluster
	cl    *kgo.Client
	log   *slog.Logger
	flush bool

	mu     sync.Mutex // the owned partitions, between the poll loop and the group's callbacks
	parts  map[store.Partition]*ownedPart
	joined atomic.Bool
	view   atomic.Pointer[[]partView]
	// replayed counts the messages dropped as replays by this member,
	// whichever partition it owned then.
	replayed atomic.Uint64
	sum      Summary
}

// ownedPart is one owned partition.
type ownedPart struct {
	key  store.Partition
	st   partState
	from int64 // the stored offset this state was loaded at or last committed
	next int64 // the offset of the next message to apply
	hw   int64 // the partition's high watermark at the last fetch; -1 unknown
	// unsaved are alerts raised since the last commit: stored with it.
	unsaved []event.Alert
	dirty   bool
	stats   partStats
}

// partStats are a partition's counters for metrics.
type partStats struct {
	Messages, Undecodable, Replayed, Commits, Alerts, Fenced uint64
	Lag                                                      int64
	Held                                                     int
	Newest                                                   time.Time // the newest message's timestamp (ingest time)
}

func (env *Env) newDetectRole(flush bool) (*detectRole, error) {
	cfg := env.cfg.Cluster
	d := &detectRole{env: env, cfg: cfg, log: env.log.With("role", "detect"), flush: flush, parts: map[store.Partition]*ownedPart{}}
	opts, err := kafka.ClientOptions(cfg.Kafka, env.log)
	if err != nil {
		return nil, err
	}
	opts = append(opts,
		kgo.ConsumerGroup(cfg.Kafka.Group),
		kgo.ConsumeTopics(cfg.ActivityTopic, cfg.FlowTopic),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(cfg.SessionTimeout),
		kgo.HeartbeatInterval(cfg.SessionTimeout/10),
		kgo.AdjustFetchOffsetsFn(d.adjust),
		kgo.OnPartitionsAssigned(func(context.Context, *kgo.Client, map[string][]int32) { d.joined.Store(true) }),
		kgo.OnPartitionsRevoked(d.revoked),
		kgo.OnPartitionsLost(d.lost),
	)
	if d.cl, err = kgo.NewClient(opts...); err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	return d, nil
}

// adjust runs when partitions are assigned: it loads each one's state
// and stored offset, and starts fetching there.
func (d *detectRole) adjust(ctx context.Context, offsets map[string]map[int32]kgo.Offset) (map[string]map[int32]kgo.Offset, error) {
	for topic, ps := range offsets {
		for p := range ps {
			op, err := d.load(ctx, store.Partition{Group: d.cfg.Kafka.Group, Topic: topic, Index: p})
			if err != nil {
				return nil, err
			}
			d.mu.Lock()
			d.parts[op.key] = op
			d.mu.Unlock()
			ps[p] = kgo.NewOffset().AtStart()
			if op.next != store.NoOffset {
				ps[p] = kgo.NewOffset().At(op.next).WithEpoch(-1)
			}
		}
	}
	d.joined.Store(true)
	return offsets, nil
}

// load reads a partition's state from the store, retrying while the
// store is unreachable until ctx ends (the group moves on then).
func (d *detectRole) load(ctx context.Context, key store.Partition) (*ownedPart, error) {
	for {
		op, err := d.loadOnce(ctx, key)
		if err == nil {
			d.log.Info("partition assigned", "partition", key.String(), "offset", op.next)
			return op, nil
		}
		d.log.Warn("partition load", "partition", key.String(), "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (d *detectRole) loadOnce(ctx context.Context, key store.Partition) (*ownedPart, error) {
	saved, err := d.env.Store.LoadPartition(ctx, key)
	if err != nil {
		return nil, err
	}
	var st partState = d.env.newActivityPart()
	if key.Topic == d.cfg.FlowTopic {
		if st, err = d.env.newFlowPart(); err != nil {
			return nil, err
		}
	}
	if err := st.unmarshal(saved.Parts); err != nil {
		return nil, fmt.Errorf("partition %s: %w", key, err)
	}
	return &ownedPart{key: key, st: st, from: saved.Offset, next: saved.Offset, hw: -1}, nil
}

// revoked commits the partitions taken from this member, then drops
// them; a commit that fails leaves the next owner the previous one.
func (d *detectRole) revoked(ctx context.Context, _ *kgo.Client, parts map[string][]int32) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, op := range d.take(parts) {
		if err := d.commit(ctx, op); err != nil {
			d.log.Warn("partition revoked uncommitted", "partition", op.key.String(), "err", err)
			continue
		}
		d.log.Info("partition revoked", "partition", op.key.String(), "offset", op.next)
	}
}

// lost drops partitions the group gave away while this member was not
// heard from: another member may own them already.
func (d *detectRole) lost(_ context.Context, _ *kgo.Client, parts map[string][]int32) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, op := range d.take(parts) {
		d.log.Warn("partition lost", "partition", op.key.String(), "uncommitted_from", op.from)
	}
}

func (d *detectRole) take(parts map[string][]int32) []*ownedPart {
	var out []*ownedPart
	for topic, ps := range parts {
		for _, p := range ps {
			key := store.Partition{Group: d.cfg.Kafka.Group, Topic: topic, Index: p}
			if op := d.parts[key]; op != nil {
				out = append(out, op)
				delete(d.parts, key)
			}
		}
	}
	return out
}

// run consumes until ctx ends, committing every commit interval, then
// commits (after flushing, with flush) and leaves the group.
func (d *detectRole) run(ctx context.Context) error {
	next := time.Now().Add(d.cfg.CommitInterval)
	for ctx.Err() == nil {
		pctx, cancel := context.WithDeadline(ctx, next)
		fs := d.cl.PollRecords(pctx, 10_000)
		cancel()
		if fs.IsClientClosed() {
			break
		}
		d.mu.Lock()
		d.handle(fs)
		if !time.Now().Before(next) {
			d.commitAll(ctx)
			next = time.Now().Add(d.cfg.CommitInterval)
		}
		d.publish()
		d.mu.Unlock()
		d.cl.AllowRebalance()
	}
	return d.stop()
}

func (d *detectRole) handle(fs kgo.Fetches) {
	fs.EachError(func(topic string, p int32, err error) {
		if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			d.log.Warn("kafka fetch", "topic", topic, "partition", p, "err", err)
		}
	})
	fs.EachPartition(func(p kgo.FetchTopicPartition) {
		op := d.parts[store.Partition{Group: d.cfg.Kafka.Group, Topic: p.Topic, Index: p.Partition}]
		if op == nil {
			return // revoked since the fetch
		}
		for _, r := range p.Records {
			d.apply(op, r)
		}
		op.hw = p.HighWatermark
		op.st.release()
		op.collect()
	})
}

func (d *detectRole) apply(op *ownedPart, r *kgo.Record) {
	if op.next != store.NoOffset && r.Offset < op.next {
		return // applied before the partition was last committed
	}
	if op.next != store.NoOffset && r.Offset > op.next {
		d.log.Warn("partition skipped messages: its stored offset is no longer retained",
			"partition", op.key.String(), "stored", op.next, "first", r.Offset)
	}
	op.next, op.dirty = r.Offset+1, true
	op.stats.Messages++
	op.stats.Newest = r.Timestamp
	switch op.st.apply(r.Value) {
	case undecodable:
		op.stats.Undecodable++
		d.log.Warn("undecodable internal message", "partition", op.key.String(), "offset", r.Offset)
	case replayed:
		op.stats.Replayed++
		d.replayed.Add(1)
	}
}

// collect moves the partition's new alerts to what its next commit stores.
func (op *ownedPart) collect() {
	if a := op.st.takeAlerts(); len(a) > 0 {
		op.unsaved = append(op.unsaved, a...)
		op.dirty = true
	}
	op.stats.Held = op.st.held()
	if op.hw >= 0 && op.next != store.NoOffset {
		op.stats.Lag = max(op.hw-op.next, 0)
	}
}

// commitAll commits every partition with something new.
func (d *detectRole) commitAll(ctx context.Context) {
	for _, op := range d.parts {
		err := d.commit(ctx, op)
		switch {
		case errors.Is(err, store.ErrFenced):
			d.reload(ctx, op)
		case err != nil:
			d.log.Warn("partition commit", "partition", op.key.String(), "err", err)
		}
	}
}

// commit writes a partition's state, offset and new alerts in one
// transaction.
func (d *detectRole) commit(ctx context.Context, op *ownedPart) error {
	if !op.dirty || op.next == store.NoOffset {
		return nil
	}
	parts, err := op.st.marshal()
	if err != nil {
		return err
	}
	start := time.Now()
	added, err := d.env.Store.CommitPartition(ctx, store.PartitionCommit{Partition: op.key, From: op.from, To: op.next, Parts: parts, Alerts: op.unsaved})
	d.env.observeStore("commit_partition", start)
	if err != nil {
		return err
	}
	op.from, op.unsaved, op.dirty = op.next, nil, false
	op.stats.Commits++
	op.stats.Alerts += uint64(len(added))
	d.sum.NewAlerts += len(added)
	if d.env.hooks.alerts != nil {
		d.env.hooks.alerts(added)
	}
	if wake := d.env.wake; wake != nil && len(added) > 0 {
		wake()
	}
	return nil
}

// reload replaces a partition whose stored offset moved under this member
// (it was taken over while this member was unheard from) with what the
// store holds, and reads on from there.
func (d *detectRole) reload(ctx context.Context, op *ownedPart) {
	d.log.Warn("partition fenced: reloading", "partition", op.key.String(), "from", op.from)
	fresh, err := d.loadOnce(ctx, op.key)
	if err != nil {
		d.log.Warn("partition reload", "partition", op.key.String(), "err", err)
		return
	}
	fresh.stats = op.stats
	fresh.stats.Fenced++
	d.parts[op.key] = fresh
	at := kgo.EpochOffset{Epoch: -1, Offset: max(fresh.next, 0)}
	d.cl.SetOffsets(map[string]map[int32]kgo.EpochOffset{op.key.Topic: {op.key.Index: at}})
}

// stop flushes (with flush) and commits what it owns, then leaves the
// group: the revocation commits nothing more.
func (d *detectRole) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	d.mu.Lock()
	var errs []error
	for _, op := range d.parts {
		if d.flush {
			op.st.flush()
			op.collect()
		}
		err := d.commit(ctx, op)
		if errors.Is(err, store.ErrFenced) {
			// Another member took the partition over just before the stop:
			// it reads on from the stored offset, so what this member
			// applied since is applied there, once. A normal handover.
			d.log.Info("partition taken over before the stop", "partition", op.key.String())
			continue
		}
		errs = append(errs, err)
	}
	d.mu.Unlock()
	d.cl.AllowRebalance()
	d.cl.Close()
	d.log.Info("detect stopped", "new_alerts", d.sum.NewAlerts)
	return errors.Join(errs...)
}
