package netdetect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/netdetect"
	"github.com/vedette/vedette/internal/runner"
)

// TestE2ESSHBruteForce runs a real brute force on loopback and expects the
// incoming-SSH alert out of `vedette serve` (runner.Serve: collector,
// engine, store) from the IPFIX a real exporter makes of it: sshd on
// 127.0.0.2:2222 with its own config and host key, hydra from 127.0.0.1
// with a 60-word list for at most 20 s, pmacctd's nfprobe plugin capturing
// lo and exporting IPFIX to the collector on 127.0.0.1.
//
// softflowd 1.1.0 is not used: on lo it never processes a packet (its
// statistics show libpcap receiving them, 0 processed, 0 exported), as it
// waits on the capture ring with poll(-1), which does not wake for them.
//
// Needs VEDETTE_E2E=1, root (sshd and packet capture on lo) and the Debian
// packages openssh-server, openssh-client (ssh-keygen), hydra and pmacct.
// avoidHourBoundary waits (at most 70 s) when the attack would straddle a
// clock hour: the detections count per hour of event time, and flows from
// the real exporter carry the real clock.
func avoidHourBoundary(t *testing.T) {
	now := time.Now()
	if left := now.Truncate(time.Hour).Add(time.Hour).Sub(now); left < 70*time.Second {
		t.Logf("waiting %s for the next hour", left.Round(time.Second))
		time.Sleep(left + time.Second)
	}
}

func TestE2ESSHBruteForce(t *testing.T) {
	if os.Getenv("VEDETTE_E2E") != "1" {
		t.Skip("set VEDETTE_E2E=1 to run (root, openssh-server, hydra, pmacct)")
	}
	for _, bin := range []string{"/usr/sbin/sshd", "ssh-keygen", "hydra", "pmacctd"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("missing %s: %v", bin, err)
		}
	}
	avoidHourBoundary(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Second)
	defer cancel()
	const sshPort = 2222
	startSSHD(ctx, t, dir, sshPort)

	srv := startServe(ctx, t, dir, sshPort)
	addr := <-srv.ready
	pm := startPmacct(ctx, t, dir, addr)
	runHydra(ctx, t, dir, sshPort)
	srv.waitStable(t, 5*time.Second, 30*time.Second)
	pm.Process.Signal(os.Interrupt) // nfprobe exports what it still holds
	pm.Wait()
	srv.waitStable(t, 2*time.Second, 10*time.Second)
	alerts := srv.stop(t)
	for _, a := range alerts {
		t.Logf("alert %s: %s", a.Detection, a.Description)
		if a.Detection == "ssh-incoming-one-to-one" && a.Principal == "e2e-sshd" {
			return
		}
	}
	t.Fatalf("no ssh-incoming-one-to-one alert in %d alerts", len(alerts))
}

// e2eServe is a running runner.Serve.
type e2eServe struct {
	ready  chan netip.AddrPort
	done   chan error
	cancel context.CancelFunc
	mu     sync.Mutex
	c      netdetect.Counters
	out    bytes.Buffer
}

func startServe(ctx context.Context, t *testing.T, dir string, port uint16) *e2eServe {
	t.Helper()
	inv := filepath.Join(dir, "inventory.csv")
	os.WriteFile(inv, []byte("ip,host\n127.0.0.2,e2e-sshd\n"), 0o600)
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = []string{"127.0.0.1:0"}, nil
	cfg.Network.Inventory = inv
	cfg.Network.Detections.SSH.Ports = []uint16{port}
	cfg.Network.Detections.SSH.IncomingOne.MinConns = 10 // 60 guesses, one per connection (MaxAuthTries 1), in 20 s at most
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	s := &e2eServe{ready: make(chan netip.AddrPort, 1), done: make(chan error, 1)}
	sctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	go func() {
		s.done <- runner.Serve(sctx, cfg, runner.ServeOptions{
			Out: &s.out, FlushOnStop: true,
			Ready:    func(a []netip.AddrPort) { s.ready <- a[0] },
			Progress: func(c netdetect.Counters) { s.mu.Lock(); s.c = c; s.mu.Unlock() },
		})
	}()
	return s
}

// waitStable waits until flows arrived and none came for quiet, at most limit.
func (s *e2eServe) waitStable(t *testing.T, quiet, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	last, since := uint64(0), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		s.mu.Lock()
		n := s.c.Flows
		s.mu.Unlock()
		if n != last {
			last, since = n, time.Now()
		}
		if n > 0 && time.Since(since) >= quiet {
			return
		}
	}
	t.Logf("flows still arriving or none at all after %s: %d", limit, last)
}

func (s *e2eServe) stop(t *testing.T) []event.Alert {
	t.Helper()
	s.cancel()
	if err := <-s.done; err != nil {
		t.Fatal(err)
	}
	t.Logf("engine counters %+v", s.c)
	var alerts []event.Alert
	dec := json.NewDecoder(&s.out)
	for dec.More() {
		var a event.Alert
		if err := dec.Decode(&a); err != nil {
			t.Fatal(err)
		}
		alerts = append(alerts, a)
	}
	return alerts
}

// startPmacct runs pmacctd on lo with the nfprobe plugin exporting IPFIX
// to addr, with short timeouts so finished connections export at once.
func startPmacct(ctx context.Context, t *testing.T, dir string, addr netip.AddrPort) *exec.Cmd {
	t.Helper()
	conf := fmt.Sprintf("daemonize: false\npcap_interface: lo\npcap_filter: tcp\n"+
		"aggregate: src_host, dst_host, src_port, dst_port, proto, tcpflags\nplugins: nfprobe\n"+
		"nfprobe_receiver: %s\nnfprobe_version: 10\n"+
		"nfprobe_timeouts: tcp=2:tcp.rst=1:tcp.fin=1:maxlife=5:expint=1:general=5\n", addr)
	cf := filepath.Join(dir, "pmacctd.conf")
	os.WriteFile(cf, []byte(conf), 0o600)
	cmd := exec.CommandContext(ctx, "pmacctd", "-f", cf)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 3 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		t.Logf("pmacctd: %s", lastLines(out.String(), 2))
	})
	time.Sleep(2 * time.Second) // capture open before the attack
	return cmd
}

func startSSHD(ctx context.Context, t *testing.T, dir string, port uint16) {
	t.Helper()
	key := filepath.Join(dir, "hostkey")
	if out, err := exec.CommandContext(ctx, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	os.MkdirAll("/run/sshd", 0o755) // privilege separation directory
	conf := fmt.Sprintf("Port %d\nListenAddress 127.0.0.2\nHostKey %s\nPidFile %s/sshd.pid\nUsePAM no\n"+
		"PasswordAuthentication yes\nKbdInteractiveAuthentication no\nStrictModes no\nMaxStartups 200\nMaxAuthTries 1\nPermitRootLogin yes\n",
		port, key, dir)
	cf := filepath.Join(dir, "sshd_config")
	os.WriteFile(cf, []byte(conf), 0o600)
	sshd := exec.CommandContext(ctx, "/usr/sbin/sshd", "-D", "-e", "-f", cf)
	if err := sshd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sshd.Process.Kill(); sshd.Wait() })
	time.Sleep(500 * time.Millisecond)
}

func runHydra(ctx context.Context, t *testing.T, dir string, port uint16) {
	t.Helper()
	var words []string
	for i := range 60 {
		words = append(words, fmt.Sprintf("wrong-%02d", i))
	}
	wl := filepath.Join(dir, "words.txt")
	os.WriteFile(wl, []byte(strings.Join(words, "\n")+"\n"), 0o600)
	hctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(hctx, "hydra", "-I", "-q", "-l", "root", "-P", wl, "-t", "16", "-s", fmt.Sprint(port),
		"-o", filepath.Join(dir, "hydra.out"), "127.0.0.2", "ssh")
	// hydra forks its tasks: kill the whole process group at the deadline.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	out, _ := cmd.CombinedOutput()
	t.Logf("hydra: %s", lastLines(string(out), 6))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}
