// Package kafka reads activity logs from Kafka topics, and so from Azure
// Event Hubs through its Kafka endpoint, where diagnostic settings export
// Entra sign-ins and the Activity Log as {"records": [...]} batches. Each
// message value is decoded by internal/normalize like a file, named
// "kafka:<topic>/<partition>@<offset>" so that evidence and rejections point
// at the message.
//
// Offsets are committed by hand, at-least-once: a message is committed only
// once the caller has marked it Done (its events processed) and calls
// Commit (after saving what the events taught). A restart redelivers what
// was not committed; the baselines' watermark and the store's alert IDs make
// the redelivery harmless.
package kafka

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/kafkasec"
	"github.com/vedette/vedette/internal/normalize"
)

// maxPoll bounds the messages one Poll returns.
const maxPoll = 1000

// Deps are what the consumer uses.
type Deps struct {
	Logger *slog.Logger // may be nil
}

// Message is one decoded Kafka message.
type Message struct {
	Topic     string
	Partition int32
	Offset    int64
	// CaughtUp: this was the partition's newest message when fetched.
	CaughtUp   bool
	Format     normalize.Format
	Events     []*event.Event
	Rejections []normalize.Rejection

	rec  *kgo.Record
	done bool
}

// Source names the message in evidence: "kafka:<topic>/<partition>@<offset>".
func (m *Message) Source() string {
	return "kafka:" + m.Stream() + "@" + strconv.FormatInt(m.Offset, 10)
}

// Stream names the message's partition: "<topic>/<partition>".
func (m *Message) Stream() string { return streamName(m.Topic, m.Partition) }

func streamName(topic string, p int32) string { return topic + "/" + strconv.Itoa(int(p)) }

// Batch is what one Poll returns.
type Batch struct {
	Messages []*Message
	// Assigned are the streams (partitions) given to this consumer since
	// the last Poll, before any of their messages.
	Assigned []string
	// Revoked are the streams (partitions) taken from this consumer since
	// the last Poll; their uncommitted messages will be redelivered to
	// their next owner.
	Revoked []string
}

// Stats count what the consumer did.
type Stats struct {
	Messages    int `json:"messages"`
	Events      int `json:"events"`
	Rejected    int `json:"rejected"`
	FetchErrors int `json:"fetch_errors"`
	Commits     int `json:"commits"`
	// CaughtUp counts the partitions whose newest polled message was the
	// newest the broker had when it was fetched.
	CaughtUp int `json:"caught_up_partitions"`
}

type partition struct {
	topic string
	part  int32
}

// Consumer reads messages of the configured topics as a group member.
// Poll, Done and Commit are meant for one goroutine; the group's
// rebalance callbacks may run concurrently and are synchronized.
type Consumer struct {
	cl    *kgo.Client
	log   *slog.Logger
	watch *kafkasec.Watch

	mu       sync.Mutex
	polled   map[partition][]*Message // in offset order, not yet committable
	dirty    map[partition]*kgo.Record
	assigned []string
	revoked  []string
	caught   map[partition]bool
	stats    Stats
}

// New connects a consumer; it does not wait for the brokers.
func New(cfg Config, deps Deps) (*Consumer, error) {
	if err := cfg.Validate("kafka"); err != nil {
		return nil, err
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Consumer{log: log, polled: map[partition][]*Message{}, dirty: map[partition]*kgo.Record{}, caught: map[partition]bool{}}
	opts, err := c.options(cfg)
	if err != nil {
		return nil, err
	}
	if c.cl, err = kgo.NewClient(opts...); err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	return c, nil
}

func (c *Consumer) options(cfg Config) ([]kgo.Opt, error) {
	start := kgo.NewOffset().AtStart()
	if cfg.StartOffset == "latest" {
		start = kgo.NewOffset().AtEnd()
	}
	opts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ClientID(cfg.ClientID),
		kgo.ConsumeTopics(cfg.Topics...),
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeResetOffset(start),
		kgo.DisableAutoCommit(),
		kgo.OnPartitionsAssigned(c.assign),
		kgo.OnPartitionsRevoked(c.forget),
		kgo.OnPartitionsLost(c.forget),
		kgo.WithLogger(kgoLogger{c.log}),
	}
	sec, watch, err := security(cfg, c.log)
	if err != nil {
		return nil, err
	}
	c.watch = watch
	return append(opts, sec...), nil
}

func (c *Consumer) assign(_ context.Context, _ *kgo.Client, parts map[string][]int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for topic, ps := range parts {
		for _, p := range ps {
			c.assigned = append(c.assigned, streamName(topic, p))
		}
	}
}

// forget drops the tracking of partitions taken from this member: their
// uncommitted messages belong to the next owner.
func (c *Consumer) forget(_ context.Context, _ *kgo.Client, parts map[string][]int32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for topic, ps := range parts {
		for _, p := range ps {
			tp := partition{topic, p}
			delete(c.polled, tp)
			delete(c.dirty, tp)
			delete(c.caught, tp)
			c.revoked = append(c.revoked, streamName(topic, p))
		}
	}
}

// Poll waits for messages (or ctx's end) and decodes them. It returns
// ctx's error once ctx is done, and kgo.ErrClientClosed after Close.
func (c *Consumer) Poll(ctx context.Context) (Batch, error) {
	fs := c.cl.PollRecords(ctx, maxPoll)
	if fs.IsClientClosed() {
		return Batch{}, kgo.ErrClientClosed
	}
	var b Batch
	caught := map[partition]bool{}
	fs.EachError(func(topic string, p int32, err error) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return
		}
		c.mu.Lock()
		c.stats.FetchErrors++
		c.mu.Unlock()
		c.log.Warn("kafka fetch", "topic", topic, "partition", p, "err", err)
	})
	fs.EachPartition(func(p kgo.FetchTopicPartition) {
		for i, r := range p.Records {
			m := decode(r)
			m.CaughtUp = i == len(p.Records)-1 && r.Offset+1 >= p.HighWatermark
			b.Messages = append(b.Messages, m)
		}
		if n := len(p.Records); n > 0 {
			caught[partition{p.Topic, p.Partition}] = p.Records[n-1].Offset+1 >= p.HighWatermark
		}
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range b.Messages {
		tp := partition{m.Topic, m.Partition}
		c.polled[tp] = append(c.polled[tp], m)
		c.stats.Messages++
		c.stats.Events += len(m.Events)
		c.stats.Rejected += len(m.Rejections)
	}
	for tp, ok := range caught {
		c.caught[tp] = ok
	}
	b.Assigned, c.assigned = c.assigned, nil
	b.Revoked, c.revoked = c.revoked, nil
	if len(b.Messages)+len(b.Assigned)+len(b.Revoked) == 0 {
		if err := ctx.Err(); err != nil {
			return b, err
		}
	}
	return b, nil
}

// Done marks m's events as processed. Its offset is committed by the next
// Commit once every earlier message of its partition is done too.
func (c *Consumer) Done(m *Message) {
	c.mu.Lock()
	m.done = true
	c.mu.Unlock()
}

// Commit commits, per partition, the offset after the last message that is
// done with every earlier one done too. Call it after saving the state the
// done messages changed.
func (c *Consumer) Commit(ctx context.Context) error {
	c.mu.Lock()
	for tp, ms := range c.polled {
		n := 0
		for n < len(ms) && ms[n].done {
			n++
		}
		if n == 0 {
			continue
		}
		c.dirty[tp] = ms[n-1].rec
		clear(ms[:n])
		c.polled[tp] = ms[n:]
	}
	recs := make([]*kgo.Record, 0, len(c.dirty))
	for _, r := range c.dirty {
		recs = append(recs, r)
	}
	c.mu.Unlock()
	if len(recs) == 0 {
		return nil
	}
	if err := c.cl.CommitRecords(ctx, recs...); err != nil {
		return fmt.Errorf("kafka: commit: %w", err)
	}
	c.mu.Lock()
	for _, r := range recs {
		tp := partition{r.Topic, r.Partition}
		if c.dirty[tp] == r {
			delete(c.dirty, tp)
		}
	}
	c.stats.Commits++
	c.mu.Unlock()
	return nil
}

// Stats returns the counters so far.
func (c *Consumer) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.stats
	for _, ok := range c.caught {
		if ok {
			st.CaughtUp++
		}
	}
	return st
}

// Close leaves the group and closes the connections. Commit first: what is
// not committed is redelivered.
func (c *Consumer) Close() { c.cl.Close() }

// decode reads one message value as an activity log.
func decode(r *kgo.Record) *Message {
	m := &Message{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, rec: r}
	src := m.Source()
	s := &sink{m: m}
	format, err := normalize.Read(src, bytes.NewReader(r.Value), s)
	m.Format = format
	if err != nil {
		var rej normalize.Rejection
		if !errors.As(err, &rej) {
			rej = normalize.Rejection{Source: src, Reason: normalize.SourceReason(err), Detail: err.Error()}
		}
		m.Rejections = append(m.Rejections, rej)
	}
	return m
}

// sink collects one message's events and rejections.
type sink struct{ m *Message }

func (s *sink) Event(e *event.Event)         { s.m.Events = append(s.m.Events, e) }
func (s *sink) Reject(r normalize.Rejection) { s.m.Rejections = append(s.m.Rejections, r) }
