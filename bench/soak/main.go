// Command soak runs `vedette serve` under hostile UDP on loopback and
// reports whether a good exporter's attack still raises its alert, and the
// collector's peak memory. It stops by itself.
//
//	go run ./bench/soak                    # ten minutes (the documented soak)
//	go run ./bench/soak -duration 60s      # a short run
//
// It builds cmd/vedette, starts `vedette serve` on 127.0.0.1 (nothing else
// is ever a target), and for the whole duration sends a mix of hostile
// packets from 127.0.0.1: random bytes, NetFlow v5 with random headers,
// future-stamped (2106) NetFlow v5 and IPFIX about the monitored host,
// packets dated 1970, and a port flood of maximal IPFIX templates (each
// from a new source port). A good exporter on 127.0.0.2 sends an SSH brute
// force (40 attempts from one source, in the hour before the previous one)
// against the monitored host 10.0.0.5, then benign current flows, the
// first of which closes that hour. The summary is one JSON object on
// stdout.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Summary is what a soak run reports.
type Summary struct {
	Duration     string         `json:"duration"`
	Sent         map[string]int `json:"packets_sent"`
	PeakRSSMB    float64        `json:"peak_rss_mb"`  // VmHWM of the serve process
	SocketDrops  int            `json:"socket_drops"` // datagrams the kernel dropped for a full receive buffer
	Alert        bool           `json:"alert_raised"`
	AlertAfter   string         `json:"alert_after,omitempty"` // since the attack was sent
	Alerts       int            `json:"alerts"`
	Rejections   map[string]int `json:"rejections_written"` // rejected.jsonl lines by reason (budgeted per minute)
	ServeExitErr string         `json:"serve_exit_error,omitempty"`
}

func main() {
	duration := flag.Duration("duration", 10*time.Minute, "how long to send hostile traffic")
	pps := flag.Int("pps", 10000, "hostile packets per second")
	bin := flag.String("vedette", "", "vedette binary (default: build ./cmd/vedette)")
	flag.Parse()
	sum, err := run(*duration, *pps, *bin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(sum)
	if !sum.Alert {
		os.Exit(3)
	}
}

func run(duration time.Duration, pps int, bin string) (*Summary, error) {
	dir, err := os.MkdirTemp("", "vedette-soak-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "vedette")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/vedette").CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build: %v\n%s", err, out)
		}
	}
	cfgPath, err := writeConfig(dir)
	if err != nil {
		return nil, err
	}
	alertsPath := filepath.Join(dir, "alerts.jsonl")
	cmd := exec.Command(bin, "serve", "-config", cfgPath, "-out", alertsPath)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer cmd.Process.Kill()
	addr, err := listenAddr(stderr)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	peak := make(chan float64, 1)
	go func() { peak <- watchRSS(ctx, cmd.Process.Pid) }()
	sum := &Summary{Duration: duration.String()}
	var attackAt time.Time
	sum.Sent, attackAt, err = drive(ctx, addr, pps, alertsPath, sum)
	if err != nil {
		return nil, err
	}
	sum.PeakRSSMB = <-peak
	sum.SocketDrops = udpDrops(addr.Port())
	// The closing flow was sent at the end: give the engine a moment.
	for deadline := time.Now().Add(15 * time.Second); !sum.Alert && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		checkAlert(alertsPath, attackAt, sum)
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		sum.ServeExitErr = err.Error()
	}
	checkAlert(alertsPath, attackAt, sum)
	sum.Rejections = countRejections(filepath.Join(dir, "data", "rejected.jsonl"))
	return sum, nil
}

// writeConfig writes the serve configuration: loopback only, web-01 in the
// inventory. hour_idle is three hours so that the attack's hour (the one
// before the previous one, which the good exporter's current flows have
// passed whatever the minute) is still open when its flows arrive.
func writeConfig(dir string) (string, error) {
	inv := filepath.Join(dir, "inventory.csv")
	if err := os.WriteFile(inv, []byte("ip,host,subscription\n10.0.0.5,web-01,0b1f6471-1bf0-4dda-aec3-cb9272f09590\n"), 0o600); err != nil {
		return "", err
	}
	cfg := fmt.Sprintf(`data_dir: %s
network:
  inventory: %s
  snapshot_interval: 10s
  collector: {ipfix: ["127.0.0.1:0"], netflow: [], read_buffer: 8388608}
  detections: {hour_idle: 3h}
`, filepath.Join(dir, "data"), inv)
	path := filepath.Join(dir, "vedette.yaml")
	return path, os.WriteFile(path, []byte(cfg), 0o600)
}

// listenAddr reads serve's "listening on [addr] (udp)" line.
func listenAddr(r interface{ Read([]byte) (int, error) }) (netip.AddrPort, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "listening on ["); i >= 0 {
			rest := line[i+len("listening on ["):]
			go func() {
				for sc.Scan() {
					fmt.Fprintln(os.Stderr, "serve:", sc.Text())
				}
			}()
			return netip.ParseAddrPort(strings.Fields(strings.TrimSuffix(strings.SplitN(rest, "]", 2)[0], ","))[0])
		}
		fmt.Fprintln(os.Stderr, "serve:", line)
	}
	return netip.AddrPort{}, errors.New("serve exited before listening")
}

// watchRSS samples the process's resident memory until ctx ends and
// returns its peak (VmHWM) in MB.
func watchRSS(ctx context.Context, pid int) float64 {
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	var peak float64
	tk := time.NewTicker(time.Second)
	defer tk.Stop()
	for {
		if kb, ok := statusKB(path, "VmHWM:"); ok {
			peak = max(peak, kb/1024)
		}
		select {
		case <-ctx.Done():
			return peak
		case <-tk.C:
		}
	}
}

func statusKB(path, field string) (float64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if strings.HasPrefix(line, field) {
			f := strings.Fields(line)
			v, err := strconv.ParseFloat(f[1], 64)
			return v, err == nil
		}
	}
	return 0, false
}

func checkAlert(path string, attackAt time.Time, sum *Summary) {
	data, _ := os.ReadFile(path)
	sum.Alerts = strings.Count(string(data), "\n")
	if !sum.Alert && strings.Contains(string(data), `"ssh-incoming-one-to-one"`) {
		sum.Alert, sum.AlertAfter = true, time.Since(attackAt).Round(time.Millisecond).String()
	}
}

// udpDrops reads the kernel's drop count of the UDP socket bound to port
// (/proc/net/udp, last column).
func udpDrops(port uint16) int {
	data, _ := os.ReadFile("/proc/net/udp")
	want := fmt.Sprintf(":%04X", port)
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(line)
		if len(f) > 12 && strings.HasSuffix(f[1], want) {
			n, _ := strconv.Atoi(f[len(f)-1])
			return n
		}
	}
	return -1
}

func countRejections(path string) map[string]int {
	out := map[string]int{}
	data, _ := os.ReadFile(path)
	for line := range strings.Lines(string(data)) {
		var r struct{ Reason string }
		if json.Unmarshal([]byte(line), &r) == nil {
			out[r.Reason]++
		}
	}
	return out
}

// dial opens a UDP socket from src (any port) to the collector.
func dial(src netip.Addr, to netip.AddrPort) (*net.UDPConn, error) {
	return net.DialUDP("udp", &net.UDPAddr{IP: src.AsSlice()}, net.UDPAddrFromAddrPort(to))
}
