package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// load is what the sender sends.
type load struct {
	rate, perPacket, exporters int
	duration                   time.Duration
	nice                       int // serve's scheduling priority
}

// runOnce starts serve with read_buffer rb in dir, sends the load, and
// reports.
func runOnce(bin, dir, rb string, l load) (Run, error) {
	r := Run{Nice: l.nice, ReadBuffer: rb, Duration: l.duration.String(), Exporters: l.exporters, PerPacket: l.perPacket}
	cmd, addrs, opsAddr, err := startServe(bin, dir, rb, l.nice)
	if err != nil {
		return r, err
	}
	defer cmd.Process.Kill()
	pid := cmd.Process.Pid
	cpu0, _ := cpuSeconds(pid)
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	start := time.Now()
	if r.PacketsSent, r.FlowsSent, err = send(addrs, l); err != nil {
		return r, err
	}
	elapsed := time.Since(start)
	r.SentFlowsPerS = float64(r.FlowsSent) / elapsed.Seconds()
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	r.SenderCPU = (tv(ru1.Utime) + tv(ru1.Stime) - tv(ru0.Utime) - tv(ru0.Stime)) / elapsed.Seconds()
	cpu1, _ := cpuSeconds(pid)
	r.ServeCPU = (cpu1 - cpu0) / elapsed.Seconds()
	r.PeakRSSMB, _ = statusKB(pid, "VmHWM:")
	r.PeakRSSMB /= 1024
	// Let serve drain its queues: wait until the packets read stop moving.
	m, err := settle("http://" + opsAddr + "/metrics")
	if err != nil {
		return r, err
	}
	r.PacketsRead = m[`vedette_flow_packets_total`]
	r.FlowsDecoded = m[`vedette_flow_records_decoded_total`]
	r.KernelDrops = m[`vedette_flow_drops_total{reason="kernel"}`]
	r.DropPercent = 100 * r.KernelDrops / float64(r.PacketsSent)
	if cpu2, err := cpuSeconds(pid); err == nil && r.FlowsDecoded > 0 {
		r.CPUPerFlow = (cpu2 - cpu0) * 1e9 / r.FlowsDecoded
	}
	var bufs []string
	for k, v := range m {
		if listen, ok := strings.CutPrefix(k, `vedette_flow_receive_buffer_bytes{listen="`); ok {
			bufs = append(bufs, fmt.Sprintf("%s=%.0f", strings.TrimSuffix(listen, `"}`), v))
		}
	}
	r.Buffers = strings.Join(bufs, " ")
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	return r, nil
}

// startServe starts serve in dir with read_buffer rb and returns it with
// its IPFIX and NetFlow addresses and its ops listener.
func startServe(bin, dir, rb string, nice int) (*exec.Cmd, []netip.AddrPort, string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, "", err
	}
	var addrs [3]string // ops, IPFIX, NetFlow
	var err error
	if addrs[0], err = freeTCP(); err != nil {
		return nil, nil, "", err
	}
	for i := 1; i < 3; i++ {
		if addrs[i], err = freeUDP(); err != nil {
			return nil, nil, "", err
		}
	}
	cfg, err := writeConfig(dir, rb, addrs[0], addrs[1], addrs[2])
	if err != nil {
		return nil, nil, "", err
	}
	cmd := exec.Command(bin, "serve", "-config", cfg, "-out", filepath.Join(dir, "alerts.jsonl"), "-log-level", "warn")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, "", err
	}
	udp, err := listenAddrs(stderr)
	if err == nil && nice != 0 {
		err = setNice(cmd.Process.Pid, nice)
	}
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, nil, "", err
	}
	return cmd, udp, addrs[0], nil
}

// setNice sets the priority of every thread of pid (Linux priorities are
// per thread; the Go runtime starts more later, which inherit it from the
// threads that create them).
func setNice(pid, nice int) error {
	tasks, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		return err
	}
	for _, t := range tasks {
		tid, _ := strconv.Atoi(t.Name())
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, nice); err != nil {
			return fmt.Errorf("-serve-nice: %w", err)
		}
	}
	return nil
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// writeConfig writes serve's configuration: both collectors on loopback,
// the 2,000 monitored hosts, the ops listener; read_buffer unless
// "default".
func writeConfig(dir, rb, opsAddr, ipfixAddr, netflowAddr string) (string, error) {
	var inv strings.Builder
	inv.WriteString("ip,host\n")
	for i := range monitored {
		fmt.Fprintf(&inv, "%s,host-%d\n", monitoredAddr(i), i)
	}
	invPath := filepath.Join(dir, "inventory.csv")
	if err := os.WriteFile(invPath, []byte(inv.String()), 0o600); err != nil {
		return "", err
	}
	buffer := ""
	if rb != "default" {
		if _, err := strconv.Atoi(rb); err != nil {
			return "", fmt.Errorf("-buffers: %q is not a byte count", rb)
		}
		buffer = ", read_buffer: " + rb
	}
	cfg := fmt.Sprintf(`data_dir: %s
network:
  inventory: %s
  collector: {ipfix: ["%s"], netflow: ["%s"]%s}
ops: {listen: "%s", status_interval: 0s}
`, filepath.Join(dir, "data"), invPath, ipfixAddr, netflowAddr, buffer, opsAddr)
	path := filepath.Join(dir, "vedette.yaml")
	return path, os.WriteFile(path, []byte(cfg), 0o600)
}

// listenAddrs reads serve's "listening on [ipfix netflow] (udp)" line and
// forwards the rest of its stderr.
func listenAddrs(r io.Reader) ([]netip.AddrPort, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, "listening on [")
		if i < 0 {
			fmt.Fprintln(os.Stderr, "serve:", line)
			continue
		}
		go func() {
			for sc.Scan() {
				fmt.Fprintln(os.Stderr, "serve:", sc.Text())
			}
		}()
		var out []netip.AddrPort
		for _, f := range strings.Fields(strings.SplitN(line[i+len("listening on ["):], "]", 2)[0]) {
			a, err := netip.ParseAddrPort(f)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
		if len(out) != 2 {
			return nil, fmt.Errorf("want the IPFIX and NetFlow addresses: %s", line)
		}
		return out, nil
	}
	return nil, errors.New("serve exited before listening")
}

// freeUDP returns a loopback UDP address free a moment ago.
func freeUDP() (string, error) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.LocalAddr().String(), nil
}

func freeTCP() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// settle scrapes until the packets read stop moving (at most 20 s).
func settle(url string) (map[string]float64, error) {
	var last map[string]float64
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		m, err := scrape(url)
		if err != nil {
			return nil, err
		}
		if last != nil && m["vedette_flow_packets_total"] == last["vedette_flow_packets_total"] {
			return m, nil
		}
		last = m
	}
	return last, nil
}

// scrape reads a Prometheus text exposition into "name{labels}" → value.
func scrape(url string) (map[string]float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out, sc.Err()
}

// cpuSeconds is the process's user+system CPU time (/proc/PID/stat).
func cpuSeconds(pid int) (float64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100, nil // USER_HZ
}

func statusKB(pid int, field string) (float64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(data)) {
		if strings.HasPrefix(line, field) {
			return strconv.ParseFloat(strings.Fields(line)[1], 64)
		}
	}
	return 0, fmt.Errorf("no %s", field)
}
