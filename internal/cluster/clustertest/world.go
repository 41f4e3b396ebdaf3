// Package clustertest builds what the scale-out tests and the cluster
// harness (bench/cluster) run on: a generated month of several tenants'
// activity and a network month as source-topic messages, an in-process
// Kafka (kfake) with the source and internal topics, offsets to wait on,
// and a throwaway PostgreSQL cluster that can be restarted.
package clustertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/gen"
)

// Topics of the scale-out tests.
const (
	ActivitySource = "insights-logs" // Event Hubs-like activity messages
	FlowLogSource  = "flowlogs"      // one VNet flow-log record per message
	ActivityTopic  = "vedette.activity"
	FlowTopic      = "vedette.flows"
)

// Size says how much to generate.
type Size struct {
	Tenants, Users, Days int // activity: organisations, each with Users over Days
	VMs, NetDays         int // network month
	// Spread, if set, picks tenant IDs that Kafka's key hash puts in
	// different partitions of a topic of Spread partitions: tenant i in
	// partition i mod Spread.
	Spread int
}

// World is a generated month on disk.
type World struct {
	Activity  []string // sign-in and ARM activity files of every tenant
	Flows     []string // VNet flow-log files, one per day
	Lists     []config.List
	Inventory string
	TI        string
}

// Generate writes a world of sz into dir: each tenant is gen's
// organisation with its own seed and tenant ID; the IP lists are the
// first tenant's.
func Generate(dir string, sz Size) (World, error) {
	var w World
	for i := range sz.Tenants {
		gc := gen.DefaultConfig()
		gc.Seed, gc.Users, gc.Days = uint64(i+1), sz.Users, sz.Days
		gc.Tenant = tenantFor(i, sz.Spread)
		td := filepath.Join(dir, fmt.Sprintf("tenant%d", i))
		if _, err := gen.Generate(td, gc); err != nil {
			return w, err
		}
		w.Activity = append(w.Activity, filepath.Join(td, "signins.jsonl"), filepath.Join(td, "activity.jsonl"))
	}
	w.Lists = GeneratedLists(filepath.Join(dir, "tenant0"))
	nd := filepath.Join(dir, "network")
	nc := gen.DefaultNetworkConfig()
	nc.VMs, nc.Days = sz.VMs, sz.NetDays
	if _, err := gen.GenerateNetwork(nd, nc); err != nil {
		return w, err
	}
	var err error
	if w.Flows, err = filepath.Glob(filepath.Join(nd, "vnetflowlogs-*.json")); err != nil {
		return w, err
	}
	w.Inventory, w.TI = filepath.Join(nd, gen.NetInventoryFile), filepath.Join(nd, gen.NetTIFile)
	return w, nil
}

// Config is the default configuration with the world's lists, inventory
// and TI feed.
func (w World) Config() config.Config {
	cfg := config.Default()
	cfg.Lists = slices.Clone(w.Lists)
	cfg.Network.Inventory = w.Inventory
	cfg.Network.TI.Lists = []string{w.TI}
	return cfg
}

// ActivityMessages turns the activity files into Event Hubs-like message
// values: all tenants interleaved in event time, disordered by up to two
// minutes, cut into single records, JSON lines and {"records": [...]}
// batches. Same files and seed, same messages.
func ActivityMessages(files []string, seed uint64) ([][]byte, error) {
	type line struct {
		at  time.Time // arrival: event time plus a bounded delay
		raw []byte
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	var lines []line
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		for raw := range bytes.SplitSeq(data, []byte("\n")) {
			if len(raw) == 0 {
				continue
			}
			var rec struct {
				Time time.Time `json:"time"`
			}
			if err := json.Unmarshal(raw, &rec); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			lines = append(lines, line{rec.Time.Add(time.Duration(rng.Int64N(int64(2 * time.Minute)))), raw})
		}
	}
	slices.SortStableFunc(lines, func(a, b line) int { return a.at.Compare(b.at) })
	var msgs [][]byte
	for len(lines) > 0 {
		n := min(len(lines), 1+rng.IntN(12))
		chunk := lines[:n]
		lines = lines[n:]
		var buf bytes.Buffer
		switch {
		case n == 1:
			buf.Write(chunk[0].raw)
		case rng.IntN(4) == 0: // JSON lines
			for _, l := range chunk {
				buf.Write(l.raw)
				buf.WriteByte('\n')
			}
		default: // diagnostic settings' Event Hubs export
			buf.WriteString(`{"records":[`)
			for i, l := range chunk {
				if i > 0 {
					buf.WriteByte(',')
				}
				buf.Write(l.raw)
			}
			buf.WriteString(`]}`)
		}
		msgs = append(msgs, buf.Bytes())
	}
	return msgs, nil
}

// FlowLogMessages cuts the flow-log files into one message per record (one
// NIC's tuples of one hour), in file order.
func FlowLogMessages(files []string) ([][]byte, error) {
	var msgs [][]byte
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Records []json.RawMessage `json:"records"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, r := range doc.Records {
			msgs = append(msgs, append(append([]byte(`{"records":[`), r...), ']', '}'))
		}
	}
	return msgs, nil
}

// Live returns cfg for the scale-out roles over brokers: activity read
// from ActivitySource (group "ingest"), flow logs from FlowLogSource
// (group "ingest-flowlogs"), the internal topics ActivityTopic and
// FlowTopic (group "vedette-detect"), no UDP collector, a 6 s session
// timeout and a 500 ms commit interval.
func Live(cfg config.Config, brokers []string, roles ...string) config.Config {
	cfg.Roles = roles
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = nil, nil
	cfg.Activity = config.DefaultActivity()
	cfg.Activity.Kafka.Brokers, cfg.Activity.Kafka.Topics, cfg.Activity.Kafka.Group = brokers, []string{ActivitySource}, "ingest"
	cfg.Cluster = config.DefaultCluster()
	cfg.Cluster.Kafka.Brokers = brokers
	cfg.Cluster.FlowLogs.Brokers, cfg.Cluster.FlowLogs.Topics, cfg.Cluster.FlowLogs.Group = brokers, []string{FlowLogSource}, "ingest-flowlogs"
	cfg.Cluster.ActivityTopic, cfg.Cluster.FlowTopic = ActivityTopic, FlowTopic
	cfg.Cluster.SessionTimeout, cfg.Cluster.CommitInterval = 6*time.Second, 500*time.Millisecond
	return cfg
}

// tenantFor returns tenant i's ID: with spread, the first candidate ID
// that hashes (as Kafka's producers do) to partition i mod spread.
func tenantFor(i, spread int) string {
	part := kgo.StickyKeyPartitioner(nil).ForTopic(ActivityTopic)
	for n := 0; ; n++ {
		id := fmt.Sprintf("%08x-5b7c-4e1d-9a0f-3c6b2e7d%04x", 0x8d3f2a61+i, n)
		if spread == 0 || part.Partition(&kgo.Record{Key: []byte(id)}, spread) == i%spread {
			return id
		}
	}
}

// GeneratedLists is the IP-list configuration of a month gen.Generate
// wrote into dir: its Tor exits, anonymous proxies, VPN and corporate
// egress lists.
func GeneratedLists(dir string) []config.List {
	lists := []config.List{
		{Path: "tor-exit.txt", Category: "tor-exit", Name: "tor"},
		{Path: "anonymous-proxy.txt", Category: "anonymous-proxy", Name: "proxies"},
		{Path: "vpn.csv", Category: "vpn", Name: "vpn"},
		{Path: "corporate.txt", Category: "corporate", Name: "corp"},
	}
	for i := range lists {
		lists[i].Path = filepath.Join(dir, "lists", lists[i].Path)
	}
	return lists
}
