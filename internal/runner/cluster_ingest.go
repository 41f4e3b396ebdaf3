package runner

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vedette/vedette/internal/cluster"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowlog"
	"github.com/vedette/vedette/internal/flowsource"
	"github.com/vedette/vedette/internal/inventory"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/source/kafka"
)

// ingestRole is serve's stateless ingest role (docs/SCALEOUT.md): it
// reads the sources (activity topics, flow-log topics, UDP flows),
// normalises, applies the time trust model and produces to the internal
// topics: activity keyed by tenant, each flow once per monitored side,
// keyed by that side's address. Source offsets are committed once the
// internal topics acknowledged what they carried.
type ingestRole struct {
	env       *Env
	cfg       config.Cluster
	flush     bool // release the events held for order at stop (-flush-on-exit)
	progress  func(ActivityCounters)
	prod      *kgo.Client
	log       *slog.Logger
	monitored cluster.Monitored

	deadMu sync.Mutex
	dead   *deadLetter
	budget *budget

	events, flows, rejected atomic.Uint64

	// killed (tests) is asked after each flow-log batch the internal
	// topic acknowledged: true stops the ingest role there, before its
	// source offsets are committed, as a kill would.
	killed func(produced int) bool
}

// errIngestKilled is the ingest role's error when a test killed it.
var errIngestKilled = errors.New("ingest: killed between produce and source commit (test)")

func (env *Env) newIngestRole(flush bool, progress func(ActivityCounters)) (*ingestRole, error) {
	cfg := env.cfg.Cluster
	opts, err := kafka.ClientOptions(cfg.Kafka, env.log)
	if err != nil {
		return nil, err
	}
	// Keys are hashed as Kafka's own clients do (murmur2), so a tenant's
	// or an address's partition is the same whoever produces it.
	opts = append(opts, kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)), kgo.ProducerLinger(5*time.Millisecond),
		kgo.ProducerBatchCompression(kgo.Lz4Compression(), kgo.NoCompression()))
	in := &ingestRole{env: env, cfg: cfg, flush: flush, progress: progress, log: env.log.With("role", "ingest"), budget: newBudget(rejectsPerMinute)}
	if in.monitored, err = env.monitoredAddrs(); err != nil {
		return nil, err
	}
	if in.dead, err = openDeadLetter(env.cfg.DataDir); err != nil {
		return nil, err
	}
	if in.prod, err = kgo.NewClient(opts...); err != nil {
		in.dead.close()
		return nil, fmt.Errorf("cluster: %w", err)
	}
	return in, nil
}

// monitoredAddrs is the ingest role's view of which addresses may be
// monitored hosts: private ones, network.detections.monitor_prefixes and
// the inventory file's. Flows get a message per such side; the detect
// role's engine decides, as in one process.
func (env *Env) monitoredAddrs() (cluster.Monitored, error) {
	n := env.cfg.Network
	var inv *inventory.Inventory
	if n.Inventory != "" {
		var err error
		if inv, err = inventory.Load(n.Inventory); err != nil {
			return nil, err
		}
	}
	return func(ip netip.Addr, at time.Time) bool {
		if !event.IsPublicIP(ip) {
			return true
		}
		for _, p := range n.Detections.MonitorPrefixes {
			if p.Contains(ip) {
				return true
			}
		}
		if inv != nil {
			_, known := inv.Resolve("", ip, at)
			return known
		}
		return false
	}, nil
}

// run reads every configured source until ctx ends.
func (in *ingestRole) run(ctx context.Context, ready func([]netip.AddrPort)) error {
	defer in.dead.close()
	defer in.prod.Close()
	cfg := in.env.cfg
	var wg sync.WaitGroup
	errs := make([]error, 3)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := func(i int, fn func(context.Context) error) {
		wg.Go(func() {
			if errs[i] = fn(ctx); errs[i] != nil {
				cancel()
			}
		})
	}
	if cfg.Activity.Live() {
		start(0, in.activity)
	}
	if cfg.Cluster.FlowLogs.Configured() {
		start(1, in.flowLogs)
	}
	if len(cfg.Network.Collector.IPFIX)+len(cfg.Network.Collector.NetFlow) > 0 {
		start(2, func(ctx context.Context) error { return in.udp(ctx, ready) })
	} else if ready != nil {
		ready(nil)
	}
	wg.Wait()
	in.log.Info("ingest stopped", "events", in.events.Load(), "flows", in.flows.Load(), "rejected", in.rejected.Load())
	return errors.Join(errs...)
}

// activity moves the activity topics' events to the internal topic
// through serve's live activity path: trust gate, then held in event-time
// order across the source partitions for activity.lateness, produced in
// that order, and the source offsets committed once the internal topic
// acknowledged them.
func (in *ingestRole) activity(ctx context.Context) error {
	out := &produceOut{in: in, ctx: ctx}
	a, err := in.env.newActivityPath(out, in.progress)
	if err != nil {
		return err
	}
	return a.run(ctx, in.flush)
}

// produceOut is the ingest role's activityOut: events become messages of
// the internal activity topic, keyed by tenant.
type produceOut struct {
	in   *ingestRole
	ctx  context.Context
	recs []*kgo.Record
	err  error // the first failed produce: nothing is committed after it
}

func (o *produceOut) process(e *event.Event) {
	v, err := cluster.EncodeEvent(e)
	if err != nil {
		o.err = cmp.Or(o.err, err)
		return
	}
	o.recs = append(o.recs, &kgo.Record{Topic: o.in.cfg.ActivityTopic, Key: cluster.ActivityKey(e), Value: v})
}

func (o *produceOut) settle() error {
	if o.err == nil {
		// A stopping serve still produces what it flushes.
		o.err = o.in.produce(context.WithoutCancel(o.ctx), o.recs)
		if o.err == nil {
			o.in.events.Add(uint64(len(o.recs)))
		}
	}
	clear(o.recs)
	o.recs = o.recs[:0]
	return o.err
}

func (o *produceOut) save() error { return o.err }

// produce writes recs and waits for the brokers' acknowledgement.
func (in *ingestRole) produce(ctx context.Context, recs []*kgo.Record) error {
	if len(recs) == 0 {
		return nil
	}
	if err := in.prod.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("ingest: produce: %w", err)
	}
	return nil
}

func (in *ingestRole) reject(r normalize.Rejection) {
	in.rejected.Add(1)
	in.deadMu.Lock()
	defer in.deadMu.Unlock()
	if in.budget.allow(r.Reason, time.Now()) {
		in.dead.add(r)
	}
}

// flowRecords turns flows into messages: one per monitored side. With a
// source position (flow-log topics), the messages of one source record
// are numbered by flow and side, so that each has its own position even
// when both sides land in one partition (UDP flows have none).
func (in *ingestRole) flowRecords(g *gate, rs []flow.Record, at *cluster.Position, recs []*kgo.Record) ([]*kgo.Record, error) {
	for i := range rs {
		r := &rs[i]
		if rej, ok := g.check(r.Time(), r.Source, r.Index); !ok {
			in.reject(rej)
			continue
		}
		for _, own := range cluster.FlowSides(r, in.monitored) {
			m := cluster.Flow{Own: own, Record: *r}
			if at != nil {
				// By the side's role, not its rank among the monitored
				// sides: a re-produce after the monitored set changed
				// must give the destination the same position.
				side := 1
				if own == r.Src.Unmap() {
					side = 0
				}
				m.Pos = &cluster.Position{Topic: at.Topic, Partition: at.Partition, Offset: at.Offset, Index: 2*i + side}
			}
			v, err := cluster.EncodeFlow(&m)
			if err != nil {
				return recs, err
			}
			recs = append(recs, &kgo.Record{Topic: in.cfg.FlowTopic, Key: cluster.FlowKey(own), Value: v})
		}
	}
	return recs, nil
}

// flowLogs moves the flow-log topics' tuples to the internal topic. Each
// message is one Azure NSG/VNet flow-log document.
func (in *ingestRole) flowLogs(ctx context.Context) error {
	fl := in.cfg.FlowLogs
	opts, err := kafka.ClientOptions(fl, in.log)
	if err != nil {
		return err
	}
	start := kgo.NewOffset().AtStart()
	if fl.StartOffset == "latest" {
		start = kgo.NewOffset().AtEnd()
	}
	cl, err := kgo.NewClient(append(opts, kgo.ConsumerGroup(fl.Group), kgo.ConsumeTopics(fl.Topics...),
		kgo.ConsumeResetOffset(start), kgo.DisableAutoCommit(), kgo.BlockRebalanceOnPoll())...)
	if err != nil {
		return fmt.Errorf("ingest: flow logs: %w", err)
	}
	defer func() {
		cl.AllowRebalance() // leaving the group is a rebalance too
		cl.Close()
	}()
	g := in.env.newGate()
	for ctx.Err() == nil {
		fs := cl.PollRecords(ctx, 100)
		if fs.IsClientClosed() || ctx.Err() != nil {
			break
		}
		fs.EachError(func(topic string, p int32, err error) {
			if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				in.log.Warn("ingest flow-log fetch", "topic", topic, "partition", p, "err", err)
			}
		})
		var recs []*kgo.Record
		for _, r := range fs.Records() {
			if recs, err = in.flowLogRecords(g, r, recs); err != nil {
				return err
			}
		}
		if err := in.produce(ctx, recs); err != nil {
			if ctx.Err() != nil {
				break // stopping: uncommitted, read again by the next run
			}
			return err
		}
		in.flows.Add(uint64(len(recs)))
		if in.killed != nil && in.killed(len(recs)) {
			return errIngestKilled
		}
		if err := cl.CommitRecords(ctx, fs.Records()...); err != nil && ctx.Err() == nil {
			in.log.Warn("ingest flow-log commit", "err", err)
		}
		cl.AllowRebalance()
	}
	return nil
}

func (in *ingestRole) flowLogRecords(g *gate, r *kgo.Record, recs []*kgo.Record) ([]*kgo.Record, error) {
	src := "kafka:" + r.Topic + "/" + strconv.Itoa(int(r.Partition)) + "@" + strconv.FormatInt(r.Offset, 10)
	var rs []flow.Record
	_, err := flowlog.Read(bytes.NewReader(r.Value), src, func(f flow.Record) { rs = append(rs, f) },
		func(source string, record int, reason, detail string) {
			in.reject(normalize.Rejection{Source: source, Record: record, Reason: reason, Detail: detail})
		})
	if err != nil {
		in.reject(normalize.Rejection{Source: src, Reason: normalize.SourceReason(err), Detail: err.Error()})
	}
	return in.flowRecords(g, rs, &cluster.Position{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset}, recs)
}

// udp runs the flow collector and produces its flows as they come: UDP
// has no offsets, so nothing waits for the acknowledgement.
func (in *ingestRole) udp(ctx context.Context, ready func([]netip.AddrPort)) error {
	g := in.env.newGate()
	var produceErr atomic.Pointer[error]
	consume := func(rs []flow.Record) {
		recs, err := in.flowRecords(g, rs, nil, nil)
		if err != nil {
			produceErr.Store(&err)
		}
		for _, r := range recs {
			in.prod.Produce(ctx, r, func(_ *kgo.Record, err error) {
				if err != nil && ctx.Err() == nil {
					in.log.Warn("ingest: produce flow", "err", err)
				}
			})
		}
		in.flows.Add(uint64(len(recs)))
	}
	col, err := flowsource.New(in.env.cfg.Network.Collector.FlowSource(), flowsource.Deps{Consumer: consume, Logger: in.log})
	if err != nil {
		return err
	}
	if ready != nil {
		ready(col.LocalAddrs())
	}
	err = col.Run(ctx)
	if p := produceErr.Load(); p != nil {
		err = errors.Join(err, *p)
	}
	return err
}
