package netdetect

import (
	"context"
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

	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowsource"
	"github.com/vedette/vedette/internal/inventory"
)

// TestE2ESSHBruteForce runs a real brute force on loopback and expects the
// incoming-SSH alert from the IPFIX that softflowd exports of it:
// sshd on 127.0.0.2:2222, hydra from 127.0.0.1 with a 60-word list for at
// most 30 s, softflowd on lo exporting IPFIX to the collector on 127.0.0.1.
//
// Needs VEDETTE_E2E=1, root (sshd and packet capture on lo) and the Debian
// packages openssh-server, openssh-client (ssh-keygen), hydra and softflowd.
func TestE2ESSHBruteForce(t *testing.T) {
	if os.Getenv("VEDETTE_E2E") != "1" {
		t.Skip("set VEDETTE_E2E=1 to run (root, openssh-server, hydra, softflowd)")
	}
	for _, bin := range []string{"/usr/sbin/sshd", "ssh-keygen", "hydra", "softflowd"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("missing %s: %v", bin, err)
		}
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	const sshPort = 2222
	startSSHD(ctx, t, dir, sshPort)

	var mu sync.Mutex
	var recs []flow.Record
	cfg := flowsource.DefaultConfig()
	cfg.Listen = []string{"127.0.0.1:0"}
	col, err := flowsource.New(cfg, flowsource.Deps{Consumer: func(rs []flow.Record) {
		mu.Lock()
		recs = append(recs, rs...)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	go col.Run(ctx)
	sf := exec.CommandContext(ctx, "softflowd", "-d", "-i", "lo", "-v", "10",
		"-n", col.LocalAddrs()[0].String(), "-t", "maxlife=5", "-t", "tcp=5", "-t", "expint=1",
		"-p", filepath.Join(dir, "softflowd.pid"), "-c", filepath.Join(dir, "softflowd.ctl"))
	if err := sf.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	runHydra(ctx, t, dir, sshPort)
	seen := waitForFlows(t, &mu, &recs, sshPort, 40*time.Second)
	sf.Process.Signal(os.Interrupt)
	sf.Wait()

	inv := inventory.New(0)
	inv.Add(netip.MustParseAddr("127.0.0.2"), inventory.Host{Name: "e2e-sshd"}, time.Time{}, time.Time{})
	dc := DefaultConfig()
	dc.SSH.Ports = []uint16{sshPort}
	dc.SSH.IncomingOne.MinConns = 10 // hydra's 60 guesses open fewer connections than the hourly default
	e, err := New(dc, Deps{Inventory: inv})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range recs {
		e.Observe(&recs[i])
	}
	alerts := e.Flush()
	t.Logf("%d flows (%d to sshd), counters %+v / %+v", len(recs), seen, col.Counters(), e.Counters())
	for _, a := range alerts {
		t.Logf("alert %s: %s", a.Detection, a.Description)
		if a.Detection == "ssh-incoming-one-to-one" && a.Principal == "e2e-sshd" {
			return
		}
	}
	t.Fatalf("no ssh-incoming-one-to-one alert in %d alerts", len(alerts))
}

func startSSHD(ctx context.Context, t *testing.T, dir string, port int) {
	t.Helper()
	key := filepath.Join(dir, "hostkey")
	if out, err := exec.CommandContext(ctx, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	os.MkdirAll("/run/sshd", 0o755) // privilege separation directory
	conf := fmt.Sprintf("Port %d\nListenAddress 127.0.0.2\nHostKey %s\nPidFile %s/sshd.pid\nUsePAM no\n"+
		"PasswordAuthentication yes\nKbdInteractiveAuthentication no\nStrictModes no\nMaxStartups 200\nMaxAuthTries 2\nPermitRootLogin yes\n",
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

func runHydra(ctx context.Context, t *testing.T, dir string, port int) {
	t.Helper()
	var words []string
	for i := range 60 {
		words = append(words, fmt.Sprintf("wrong-%02d", i))
	}
	wl := filepath.Join(dir, "words.txt")
	os.WriteFile(wl, []byte(strings.Join(words, "\n")+"\n"), 0o600)
	hctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(hctx, "hydra", "-I", "-q", "-l", "root", "-P", wl, "-t", "4", "-s", fmt.Sprint(port),
		"-o", filepath.Join(dir, "hydra.out"), "127.0.0.2", "ssh")
	// hydra forks its tasks: kill the whole process group at the deadline.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	out, _ := cmd.CombinedOutput()
	t.Logf("hydra: %s", lastLines(string(out), 3))
}

func waitForFlows(t *testing.T, mu *sync.Mutex, recs *[]flow.Record, port uint16, limit time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(limit)
	last, stable := -1, 0
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		mu.Lock()
		n := 0
		for _, r := range *recs {
			if r.DstPort == port {
				n++
			}
		}
		mu.Unlock()
		if n > 0 && n == last {
			stable++
		} else {
			stable = 0
		}
		if stable >= 8 { // no new flows for 8 s after maxlife/tcp timeouts
			return n
		}
		last = n
	}
	return last
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}
