// Command udpload measures whether `vedette serve` keeps up with a steady
// flow export rate on loopback: it builds cmd/vedette, starts `serve` on
// 127.0.0.1 (nothing else is ever a target) with an inventory of 2,000
// monitored hosts, and sends IPFIX and NetFlow v9 from several exporters
// (own source ports, templates resent every second in their own packets,
// -per-packet flow records per data packet, as routers fill datagrams) at
// a bounded rate for -duration. It then reads serve's /metrics: the
// kernel's drops on the collector's sockets, the flows decoded, the
// receive buffers, and serve's CPU.
//
//	go run ./bench/udpload                                   # 1M flows/s, 30 s, default buffer
//	go run ./bench/udpload -buffers default,0 -rounds 2      # interleaved: default and the OS's
//
// -buffers lists network.collector.read_buffer values to run ("default":
// not set); runs alternate between them, -rounds times. One JSON object
// per run on stdout, then the medians per setting.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Run is what one serve run reports.
type Run struct {
	Binary        string  `json:"binary"`
	Nice          int     `json:"serve_nice,omitempty"`
	ReadBuffer    string  `json:"read_buffer"`
	Duration      string  `json:"duration"`
	Exporters     int     `json:"exporters"`
	PerPacket     int     `json:"flows_per_packet"`
	PacketsSent   int     `json:"packets_sent"`
	FlowsSent     int     `json:"flows_sent"`
	SentFlowsPerS float64 `json:"sent_flows_per_s"` // achieved by the sender
	PacketsRead   float64 `json:"packets_read"`
	FlowsDecoded  float64 `json:"flows_decoded"`
	KernelDrops   float64 `json:"kernel_drops"` // datagrams, from /metrics
	DropPercent   float64 `json:"drop_percent"` // of packets sent
	ServeCPU      float64 `json:"serve_cpu_cores"`
	CPUPerFlow    float64 `json:"serve_cpu_ns_per_flow"` // serve's CPU time per flow decoded
	SenderCPU     float64 `json:"sender_cpu_cores"`
	PeakRSSMB     float64 `json:"serve_peak_rss_mb"`
	Buffers       string  `json:"receive_buffers"` // vedette_flow_receive_buffer_bytes per socket
}

func main() {
	rate := flag.Int("rate", 1_000_000, "flow records per second")
	perPacket := flag.Int("per-packet", 30, "flow records per data packet")
	exporters := flag.Int("exporters", 8, "exporters (half IPFIX, half NetFlow v9)")
	duration := flag.Duration("duration", 30*time.Second, "how long to send")
	buffers := flag.String("buffers", "default", "comma-separated read_buffer values to run (default: not set)")
	rounds := flag.Int("rounds", 1, "rounds over -buffers, interleaved")
	nice := flag.Int("serve-nice", 0, "scheduling priority of serve (negative: ahead of the machine's other work; needs root), a stand-in for a machine serve has to itself")
	bin := flag.String("vedette", "", "vedette binaries, comma-separated, run interleaved (default: build ./cmd/vedette)")
	flag.Parse()
	dir, err := os.MkdirTemp("", "vedette-udpload-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	if *bin == "" {
		*bin = filepath.Join(dir, "vedette")
		if out, err := exec.Command("go", "build", "-o", *bin, "./cmd/vedette").CombinedOutput(); err != nil {
			fail(fmt.Errorf("build: %v\n%s", err, out))
		}
	}
	load := load{rate: *rate, perPacket: *perPacket, exporters: *exporters, duration: *duration, nice: *nice}
	runs := map[string][]Run{}
	var keys []string
	enc := json.NewEncoder(os.Stdout)
	for round := range *rounds {
		for i, b := range strings.Split(*bin, ",") {
			for _, rb := range strings.Split(*buffers, ",") {
				r, err := runOnce(b, filepath.Join(dir, fmt.Sprintf("run-%d-%d-%s", round, i, rb)), rb, load)
				if err != nil {
					fail(err)
				}
				r.Binary = b
				enc.Encode(r)
				k := b + " read_buffer " + rb
				if round == 0 {
					keys = append(keys, k)
				}
				runs[k] = append(runs[k], r)
			}
		}
	}
	for _, k := range keys {
		rs := runs[k]
		fmt.Printf("%s: median kernel drops %.3f%% of packets, decoded %.0f flows/s, serve %.2f cores, %.0f ns CPU per flow (%d runs)\n",
			k, median(rs, func(r Run) float64 { return r.DropPercent }),
			median(rs, func(r Run) float64 { return r.FlowsDecoded / load.duration.Seconds() }),
			median(rs, func(r Run) float64 { return r.ServeCPU }),
			median(rs, func(r Run) float64 { return r.CPUPerFlow }), len(rs))
	}
}

func median(runs []Run, f func(Run) float64) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "udpload:", err)
	os.Exit(1)
}
