package syslog

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format/cef"
	"github.com/vedette/vedette/internal/format/formattest"
	"github.com/vedette/vedette/internal/notify"
)

// readFrame reads one octet-counted frame: MSG-LEN SP SYSLOG-MSG.
func readFrame(r *bufio.Reader) (string, error) {
	n, err := r.ReadString(' ')
	if err != nil {
		return "", err
	}
	size, err := strconv.Atoi(strings.TrimSuffix(n, " "))
	if err != nil {
		return "", err
	}
	b := make([]byte, size)
	_, err = io.ReadFull(r, b)
	return string(b), err
}

// The receiver drops the connection between batches (a restart): the next
// batch goes over a new connection instead of into the closed one.
func TestReconnectsAfterReceiverClosed(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := make(chan string, 10)
	go func() {
		for i := 0; ; i++ {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			r := bufio.NewReader(conn)
			msg, err := readFrame(r)
			if err == nil {
				got <- msg
			}
			conn.Close() // one message per connection, then hang up
		}
	}()
	n, err := New(Config{Address: l.Addr().String(), Hostname: "h"}, cef.Format)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	changes := formattest.Changes(t)
	for i, c := range changes[:3] {
		if _, err := n.Notify(t.Context(), changes[i:i+1]); err != nil {
			t.Fatalf("change %d: %v", c.Seq, err)
		}
		msg := <-got
		if !strings.Contains(msg, "externalId="+c.Alert.ID) || !strings.HasPrefix(msg, "<164>1 ") {
			t.Errorf("change %d: got %q", c.Seq, msg)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		cfg  Config
		want string
	}{
		"ok":           {Config{Address: "127.0.0.1:514"}, ""},
		"no port":      {Config{Address: "127.0.0.1"}, "address"},
		"bad network":  {Config{Network: "sctp", Address: "h:1"}, "network"},
		"bad facility": {Config{Address: "h:1", Facility: "local9"}, "facility"},
		"half a cert":  {Config{Network: "tls", Address: "h:1", TLS: tlsCert("c.pem")}, "cert_file and key_file"},
	}
	for name, tc := range cases {
		err := tc.cfg.Validate()
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", name, err, tc.want)
		}
	}
}

func tlsCert(cert string) (t notify.TLS) { t.CertFile = cert; return t }

// A finding too large for one UDP datagram is refused for good: retrying
// cannot shrink it.
func TestUDPTooLarge(t *testing.T) {
	t.Parallel()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	n, err := New(Config{Network: "udp", Address: pc.LocalAddr().String(), Hostname: "h"}, cef.Format)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	c := formattest.Changes(t)[0]
	c.Alert.Description = strings.Repeat("x", 70_000)
	retry, err := n.Notify(t.Context(), []event.Change{c})
	if err == nil || retry {
		t.Errorf("retry=%v err=%v, want a permanent error", retry, err)
	}
}
