// Package syslog delivers findings as RFC 5424 syslog messages: over TCP or
// TLS with octet-counting framing (RFC 6587 section 3.4.1, RFC 5425), or one
// per UDP datagram (RFC 5426). The message body is the output's format,
// typically CEF. TCP gives no application acknowledgement: a batch counts as
// delivered once the kernel accepted it, so a receiver crash can lose what
// was in flight (RELP would close that gap; rsyslog's imtcp does not).
package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
	"github.com/vedette/vedette/internal/notify"
)

// Config of a syslog output.
type Config struct {
	Network  string     `yaml:"network"`  // "tcp" (default), "tls" or "udp"
	Address  string     `yaml:"address"`  // host:port
	Facility string     `yaml:"facility"` // default "local4"
	AppName  string     `yaml:"app_name"` // default "vedette"
	Hostname string     `yaml:"hostname"` // default os.Hostname()
	TLS      notify.TLS `yaml:"tls"`
}

var facilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
	"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12, "security": 13, "console": 14,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// Validate checks c without I/O.
func (c Config) Validate() error {
	switch c.Network {
	case "", "tcp", "tls", "udp":
	default:
		return fmt.Errorf("syslog: network %q: want tcp, tls or udp", c.Network)
	}
	if _, _, err := net.SplitHostPort(c.Address); err != nil {
		return fmt.Errorf("syslog: address %q: %w", c.Address, err)
	}
	if _, ok := facilities[c.Facility]; c.Facility != "" && !ok {
		return fmt.Errorf("syslog: unknown facility %q", c.Facility)
	}
	if len(c.AppName) > 48 || len(c.Hostname) > 255 || strings.ContainsAny(c.AppName+c.Hostname, " \t\n") {
		return errors.New("syslog: app_name (≤48) and hostname (≤255) are printable without spaces")
	}
	return c.TLS.Validate()
}

// Notifier keeps one connection and redials after a failure.
type Notifier struct {
	cfg      Config
	format   format.Func
	facility int
	tls      *tls.Config
	mu       sync.Mutex
	conn     net.Conn
}

// New checks the settings and loads TLS files; it connects on first use.
func New(cfg Config, f format.Func) (*Notifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Network == "" {
		cfg.Network = "tcp"
	}
	if cfg.Facility == "" {
		cfg.Facility = "local4"
	}
	if cfg.AppName == "" {
		cfg.AppName = "vedette"
	}
	if cfg.Hostname == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "-"
		}
		cfg.Hostname = h
	}
	n := &Notifier{cfg: cfg, format: f, facility: facilities[cfg.Facility]}
	if cfg.Network == "tls" {
		var err error
		if n.tls, err = cfg.TLS.Config(); err != nil {
			return nil, fmt.Errorf("syslog: %w", err)
		}
	}
	return n, nil
}

// Severity is the syslog severity of a change: a closed finding is
// informational, others follow the alert (High critical, Medium warning,
// Low notice).
func Severity(c event.Change) int {
	if c.Kind == event.ChangeClosed {
		return 6
	}
	switch c.Alert.Severity {
	case event.SeverityHigh:
		return 2
	case event.SeverityMedium:
		return 4
	}
	return 5
}

// Message renders the RFC 5424 message of one change (no framing): PRI,
// version 1, the change's time, host, app, no PROCID, the change kind as
// MSGID, no structured data, then the formatted finding.
func (n *Notifier) Message(c event.Change) ([]byte, error) {
	body, err := n.format(c)
	if err != nil {
		return nil, err
	}
	head := "<" + strconv.Itoa(n.facility*8+Severity(c)) + ">1 " +
		c.At.UTC().Format("2006-01-02T15:04:05.000000Z") + " " +
		n.cfg.Hostname + " " + n.cfg.AppName + " - " + string(c.Kind) + " - "
	return append([]byte(head), body...), nil
}

// Notify sends the batch over the connection, dialling it if needed.
func (n *Notifier) Notify(ctx context.Context, changes []event.Change) (bool, error) {
	msgs := make([][]byte, 0, len(changes))
	for _, c := range changes {
		m, err := n.Message(c)
		if err != nil {
			return false, fmt.Errorf("syslog: %w", err)
		}
		msgs = append(msgs, m)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn != nil && n.cfg.Network != "udp" && !alive(n.conn) {
		n.conn.Close()
		n.conn = nil
	}
	if n.conn == nil {
		if err := n.dial(ctx); err != nil {
			return true, err
		}
	}
	if dl, ok := ctx.Deadline(); ok {
		n.conn.SetWriteDeadline(dl)
	} else {
		n.conn.SetWriteDeadline(time.Time{})
	}
	if err := n.write(msgs); err != nil {
		n.conn.Close()
		n.conn = nil
		// A message too large for a datagram stays too large.
		return !errors.Is(err, syscall.EMSGSIZE), fmt.Errorf("syslog: send to %s: %w", n.cfg.Address, err)
	}
	return false, nil
}

// alive reports whether the receiver still holds the stream open. A write
// to a connection the peer closed usually succeeds and is lost, so before
// each batch a read that must not block tells a closed one (EOF) apart. A
// read timeout does not break a TLS connection: it is not sticky.
func alive(conn net.Conn) bool {
	var b [1]byte
	conn.SetReadDeadline(time.Now().Add(time.Millisecond))
	_, err := conn.Read(b[:])
	conn.SetReadDeadline(time.Time{})
	var ne net.Error
	return err == nil || errors.As(err, &ne) && ne.Timeout()
}

func (n *Notifier) write(msgs [][]byte) error {
	if n.cfg.Network == "udp" {
		for _, m := range msgs {
			if _, err := n.conn.Write(m); err != nil {
				return err
			}
		}
		return nil
	}
	var buf []byte
	for _, m := range msgs { // octet counting: MSG-LEN SP SYSLOG-MSG
		buf = strconv.AppendInt(buf, int64(len(m)), 10)
		buf = append(buf, ' ')
		buf = append(buf, m...)
	}
	_, err := n.conn.Write(buf)
	return err
}

func (n *Notifier) dial(ctx context.Context) error {
	var (
		conn net.Conn
		err  error
	)
	switch n.cfg.Network {
	case "tls":
		d := tls.Dialer{Config: n.tls}
		conn, err = d.DialContext(ctx, "tcp", n.cfg.Address)
	default:
		var d net.Dialer
		conn, err = d.DialContext(ctx, n.cfg.Network, n.cfg.Address)
	}
	if err != nil {
		return fmt.Errorf("syslog: dial %s %s: %w", n.cfg.Network, n.cfg.Address, err)
	}
	n.conn = conn
	return nil
}

// Close closes the connection.
func (n *Notifier) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn == nil {
		return nil
	}
	err := n.conn.Close()
	n.conn = nil
	return err
}
