package clustertest

import (
	"context"
	"fmt"
	"strconv"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Partitions of the topics NewKafka creates.
type Partitions struct {
	ActivitySource, FlowLogSource, Internal int
}

// NewKafka starts an in-process Kafka cluster with the source and
// internal topics.
func NewKafka(p Partitions) (*kfake.Cluster, error) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1),
		kfake.SeedTopics(int32(p.ActivitySource), ActivitySource),
		kfake.SeedTopics(int32(p.FlowLogSource), FlowLogSource),
		kfake.SeedTopics(int32(p.Internal), ActivityTopic, FlowTopic))
	if err != nil {
		return nil, fmt.Errorf("clustertest: kfake: %w", err)
	}
	return c, nil
}

// Produce writes msgs to topic, round-robin over its partitions.
func Produce(ctx context.Context, brokers []string, topic string, partitions int, msgs [][]byte) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerBatchMaxBytes(4<<20))
	if err != nil {
		return err
	}
	defer cl.Close()
	recs := make([]*kgo.Record, len(msgs))
	for i, v := range msgs {
		recs[i] = &kgo.Record{Topic: topic, Partition: int32(i % partitions), Value: v}
	}
	return cl.ProduceSync(ctx, recs...).FirstErr()
}

// EndOffsets returns the end offset of every partition of topics, by
// "topic/partition".
func EndOffsets(ctx context.Context, brokers []string, topics ...string) (map[string]int64, error) {
	adm, cl, err := admin(brokers)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	l, err := adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	var first error
	l.Each(func(o kadm.ListedOffset) {
		if o.Err != nil && first == nil {
			first = o.Err
		}
		out[key(o.Topic, o.Partition)] = o.Offset
	})
	return out, first
}

// GroupOffsets returns a group's committed offsets, by
// "topic/partition".
func GroupOffsets(ctx context.Context, brokers []string, group string) (map[string]int64, error) {
	adm, cl, err := admin(brokers)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	r, err := adm.FetchOffsets(ctx, group)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	r.Each(func(o kadm.OffsetResponse) { out[key(o.Topic, o.Partition)] = o.At })
	return out, nil
}

// CaughtUp reports whether every partition of end with messages has
// reached its end in got.
func CaughtUp(end, got map[string]int64) bool {
	for k, e := range end {
		if e > 0 && got[k] < e {
			return false
		}
	}
	return true
}

func admin(brokers []string) (*kadm.Client, *kgo.Client, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return nil, nil, err
	}
	return kadm.NewClient(cl), cl, nil
}

func key(topic string, p int32) string { return topic + "/" + strconv.Itoa(int(p)) }
