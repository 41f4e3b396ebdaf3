package metrics

import (
	"time"

	"github.com/vedette/vedette/internal/flowsource"
	"github.com/vedette/vedette/internal/netdetect"
	"github.com/vedette/vedette/internal/pipeline"
)

// Snapshot is the state of the live paths read at scrape time. The
// components keep these counters anyway; the runner assembles them (each
// from the goroutine allowed to read it) and the collector turns them into
// metrics.
type Snapshot struct {
	Sources  []SourceStats
	Flows    *FlowStats     // nil without a flow collector
	Activity *ActivityStats // nil without live activity
}

// SourceStats are one kind of input's totals: "kafka" (activity), "flow"
// (IPFIX/NetFlow).
type SourceStats struct {
	Kind     string
	Read     uint64            // events (or flow records) read
	Rejected map[string]uint64 // records set aside, by reason
	Late     uint64            // events older than what was already processed
	Newest   time.Time         // newest event time read; zero before any
}

// FlowStats is the flow collector and the network engine.
type FlowStats struct {
	Decoder flowsource.Counters
	// KernelDrops are datagrams the kernel dropped for the collector's
	// sockets; KernelDropsErr says why they could not be read.
	KernelDrops    uint64
	KernelDropsErr error
	// Buffers are the collector sockets' receive buffers.
	Buffers []flowsource.Buffer
	Engine  netdetect.Counters
	Gauges  netdetect.Gauges
}

// ActivityStats is the live activity path.
type ActivityStats struct {
	Pipeline   pipeline.Stats
	Held       int // events waiting in the reorder buffer
	Principals int // principals tracked by the baselines
	Kafka      KafkaStats
}

// KafkaStats is the consumer's view of its partitions.
type KafkaStats struct {
	Messages, FetchErrors, Commits int
	Partitions, CaughtUp           int
}
