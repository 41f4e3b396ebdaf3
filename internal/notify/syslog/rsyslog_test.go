package syslog

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format/cef"
	"github.com/vedette/vedette/internal/format/formattest"
	"github.com/vedette/vedette/internal/notify"
	"github.com/vedette/vedette/internal/notify/notifytest"
)

type rsyslog struct {
	Dir                       string
	TCPPort, TLSPort, UDPPort int
	notifytest.Certs
}

// startRsyslog runs a real rsyslogd on loopback with testdata/rsyslog.conf.tmpl.
func startRsyslog(t *testing.T) *rsyslog {
	bin := notifytest.Require(t, "rsyslogd", "/usr/sbin/rsyslogd")
	r := &rsyslog{Dir: t.TempDir()}
	r.Certs = notifytest.NewCerts(t, r.Dir)
	r.TCPPort, r.TLSPort, r.UDPPort = notifytest.FreePort(t, "tcp"), notifytest.FreePort(t, "tcp"), notifytest.FreePort(t, "udp")
	tmpl := template.Must(template.ParseFiles("testdata/rsyslog.conf.tmpl"))
	var conf bytes.Buffer
	if err := tmpl.Execute(&conf, r); err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(r.Dir, "rsyslog.conf")
	if err := os.WriteFile(confPath, conf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "-n", "-f", confPath, "-i", filepath.Join(r.Dir, "rsyslogd.pid"))
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for _, port := range []int{r.TCPPort, r.TLSPort} {
		deadline := time.Now().Add(10 * time.Second)
		for {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("rsyslogd not listening on %d: %v\n%s", port, err, stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return r
}

// waitLines waits until path holds n lines.
func waitLines(t *testing.T, path string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		// Only whole lines count: rsyslog may have written part of the
		// last one when the file is read.
		whole := string(b[:bytes.LastIndexByte(b, '\n')+1])
		lines := strings.Split(strings.TrimSuffix(whole, "\n"), "\n")
		if len(whole) > 0 && len(lines) >= n {
			return lines
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d lines after 10s, want %d:\n%s", path, len(lines), n, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rsyslog receives CEF over TCP (octet counting), TLS and UDP and writes,
// for each message, exactly the priority, time, host, app, MSGID and CEF
// line that were sent.
func TestRsyslogReceivesCEF(t *testing.T) {
	t.Parallel()
	r := startRsyslog(t)
	changes := formattest.Changes(t)
	// local4 (20); severity from the alert and the change, computed here
	// independently of Severity: Medium alerts are warning (4), a closed
	// finding informational (6).
	wantPri := map[event.ChangeKind]int{event.ChangeCreated: 164, event.ChangeUpdated: 164, event.ChangeClosed: 166}
	ports := map[string]int{"tcp": r.TCPPort, "tls": r.TLSPort, "udp": r.UDPPort}
	for _, network := range []string{"tcp", "tls", "udp"} {
		t.Run(network, func(t *testing.T) {
			cfg := Config{Network: network, Address: fmt.Sprintf("127.0.0.1:%d", ports[network]), Hostname: "sensor-1"}
			if network == "tls" {
				cfg.TLS = notify.TLS{CAFile: r.CA}
			}
			n, err := New(cfg, cef.Format)
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			// Two batches: the second reuses the connection.
			for _, batch := range [][]event.Change{changes[:2], changes[2:]} {
				if retry, err := n.Notify(t.Context(), batch); err != nil {
					t.Fatalf("retry=%v: %v", retry, err)
				}
				if network == "udp" {
					time.Sleep(50 * time.Millisecond) // datagrams keep their order on loopback, paced anyway
				}
			}
			got := waitLines(t, filepath.Join(r.Dir, network+".log"), len(changes))
			for i, c := range changes {
				line, _ := cef.Format(c)
				want := fmt.Sprintf("%d|%s|sensor-1|vedette|%s|%s", wantPri[c.Kind],
					c.At.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), c.Kind, line)
				if got[i] != want {
					t.Errorf("line %d:\n got %s\nwant %s", i, got[i], want)
				}
			}
		})
	}
}

// A TLS receiver whose certificate the client does not trust is refused.
func TestRsyslogUntrustedTLS(t *testing.T) {
	t.Parallel()
	r := startRsyslog(t)
	other := notifytest.NewCerts(t, t.TempDir())
	n, err := New(Config{Network: "tls", Address: fmt.Sprintf("127.0.0.1:%d", r.TLSPort), TLS: notify.TLS{CAFile: other.CA}}, cef.Format)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	retry, err := n.Notify(t.Context(), formattest.Changes(t)[:1])
	if err == nil || !strings.Contains(err.Error(), "certificate") || !retry {
		t.Errorf("retry=%v err=%v, want a retryable certificate error", retry, err)
	}
}
