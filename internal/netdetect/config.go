package netdetect

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Config tunes the network detections. Zero values are not defaults: start
// from DefaultConfig.
type Config struct {
	// Grace is how long after an hour's end flows of that hour are still
	// accepted; an hour closes (and alerts) once every exporter that
	// reported it has sent a flow later than its end plus Grace. Default 5m.
	Grace time.Duration `yaml:"grace"`
	// HourIdle closes an hour by the wall clock in `vedette serve`: once
	// the clock has passed the hour's end by HourIdle, the hour closes even
	// if an exporter that reported it went quiet, so a quiet network still
	// closes its last hour and one exporter's stopped clock cannot hold
	// anyone's hour open. Flows of an hour that old are late. It must be
	// at least Grace. Default 30m.
	HourIdle time.Duration `yaml:"hour_idle"`
	// MaxHosts caps how many monitored IPs are tracked per open hour;
	// flows of further IPs are dropped and counted. Default 100000, at
	// most 16,777,215 (an hour's host table indexes them in 24 bits).
	MaxHosts int `yaml:"max_hosts"`
	// MinHistoryHours is how many observed hours a host needs before its own
	// history can call an hour normal. Default 24.
	MinHistoryHours int `yaml:"min_history_hours"`
	// AnomalyFactor: with enough history, an hour alerts only if its count
	// exceeds AnomalyFactor times the host's usual hourly count. Default 3.
	AnomalyFactor float64 `yaml:"anomaly_factor"`
	// LearnFromFlowLogs learns IP->host mappings from Azure flow log
	// records (MAC address and resource). Default true.
	LearnFromFlowLogs bool `yaml:"learn_from_flow_logs"`
	// MonitorPrefixes are address ranges whose unmapped IPs are monitored
	// as hosts named by their address. Default none.
	MonitorPrefixes []netip.Prefix `yaml:"monitor_prefixes"`
	// TopN is how many peers an alert lists, at most 4. Default 4.
	TopN int `yaml:"top_n"`

	SSH SSHService `yaml:"ssh"`
	RDP Service    `yaml:"rdp"`
	// C2 enables Network_CommunicationWithC2 (needs a TI matcher). Default true.
	C2 bool `yaml:"c2"`
}

// Service configures the brute-force detections of one service.
//
// A connection attempt is one TCP flow (or Azure "B" tuple) to a service
// port that carried at most MaxAttemptBytes: brute force is many short,
// small, repeated connections. Larger flows are sessions and never count.
// Incoming rules count only allowed attempts (a firewall denying the
// Internet is not a compromised host); outgoing rules count allowed, denied
// and unanswered attempts alike, since the monitored host made them all.
type Service struct {
	Ports           []uint16 `yaml:"ports"`
	MaxAttemptBytes uint64   `yaml:"max_attempt_bytes"`
	IncomingOne     Rule     `yaml:"incoming_one_to_one"`
	IncomingMany    Rule     `yaml:"incoming_many_to_one"`
	OutgoingOne     Rule     `yaml:"outgoing_one_to_one"`
	OutgoingMany    Rule     `yaml:"outgoing_one_to_many"`
}

// SSHService is Service plus the rule only SSH inputs can feed: the
// outcome of authentication, which Zeek's ssh.log reports and flow
// exporters and Azure flow logs do not. No input carries RDP logon
// outcomes (NSG/VNet flow logs and IPFIX/NetFlow see packets, not logons),
// so RDP has no such rule.
type SSHService struct {
	Service `yaml:",inline"`
	// IncomingSuccess raises ssh-incoming-brute-force-success for an hour
	// in which an enabled incoming rule raised and a source it counted
	// logged in. Default enabled.
	IncomingSuccess Switch `yaml:"incoming_brute_force_success"`
}

// Switch turns a detection without thresholds on or off.
type Switch struct {
	Enabled bool `yaml:"enabled"`
}

// Rule is one detection's thresholds over one host-hour. OneToOne rules use
// MinConns against the busiest single peer; many-peer rules need MinPeers
// distinct peers and MinConns attempts in total.
type Rule struct {
	Enabled  bool   `yaml:"enabled"`
	MinConns uint32 `yaml:"min_conns"`
	MinPeers uint32 `yaml:"min_peers"`
}

// DefaultConfig returns the documented defaults. Anchors: CrowdSec bans
// after 5 SSH failures in 10 s per source, Zeek's SSH::Password_Guessing
// fires at 30 failures in 30 minutes, and scan detectors at 25 hosts in 5
// minutes. Hourly windows, counting only small allowed connections, give:
//
//	SSH in  one-to-one:  30 attempts from one source
//	SSH in  many-to-one: 10 sources, 50 attempts
//	SSH out one-to-one:  30 attempts to one destination
//	SSH out one-to-many: 10 destinations, 20 attempts
//	RDP: the same with 20 / 10+30 / 20 / 10+20 (RDP logons are slower)
//	SSH brute force that succeeded: on (needs Zeek ssh.log)
//
// MaxAttemptBytes: 20 KB for SSH (a failed login is 3-6 KB), 100 KB for RDP
// (a failed NLA logon is 10-40 KB).
func DefaultConfig() Config {
	return Config{
		Grace: 5 * time.Minute, HourIdle: 30 * time.Minute, MaxHosts: 100_000, MinHistoryHours: 24, AnomalyFactor: 3,
		LearnFromFlowLogs: true, TopN: 4, C2: true,
		SSH: SSHService{
			Service: Service{
				Ports: []uint16{22}, MaxAttemptBytes: 20_000,
				IncomingOne: Rule{true, 30, 1}, IncomingMany: Rule{true, 50, 10},
				OutgoingOne: Rule{true, 30, 1}, OutgoingMany: Rule{true, 20, 10},
			},
			IncomingSuccess: Switch{Enabled: true},
		},
		RDP: Service{
			Ports: []uint16{3389}, MaxAttemptBytes: 100_000,
			IncomingOne: Rule{true, 20, 1}, IncomingMany: Rule{true, 30, 10},
			OutgoingOne: Rule{true, 20, 1}, OutgoingMany: Rule{true, 20, 10},
		},
	}
}

// ErrConfig marks invalid configuration.
var ErrConfig = errors.New("invalid config")

// Validate checks the configuration without I/O.
func (c *Config) Validate() error {
	switch {
	case c.Grace < 0 || c.Grace > time.Hour:
		return fmt.Errorf("netdetect: grace %v not in [0, 1h]: %w", c.Grace, ErrConfig)
	case c.HourIdle < c.Grace || c.HourIdle > 24*time.Hour:
		return fmt.Errorf("netdetect: hour_idle %v not in [grace, 24h]: %w", c.HourIdle, ErrConfig)
	case c.MaxHosts <= 0 || c.MaxHosts > maxTableHosts:
		return fmt.Errorf("netdetect: max_hosts must be in [1, %d]: %w", maxTableHosts, ErrConfig)
	case c.AnomalyFactor < 1:
		return fmt.Errorf("netdetect: anomaly_factor must be >= 1: %w", ErrConfig)
	case c.TopN <= 0 || c.TopN > topPeers:
		return fmt.Errorf("netdetect: top_n must be in [1, %d]: %w", topPeers, ErrConfig)
	}
	for name, s := range map[string]*Service{"ssh": &c.SSH.Service, "rdp": &c.RDP} {
		for _, r := range []Rule{s.IncomingOne, s.IncomingMany, s.OutgoingOne, s.OutgoingMany} {
			if r.Enabled && (r.MinConns == 0 || r.MinPeers == 0) {
				return fmt.Errorf("netdetect: %s: enabled rule needs min_conns and min_peers >= 1: %w", name, ErrConfig)
			}
		}
		if s.MaxAttemptBytes == 0 {
			return fmt.Errorf("netdetect: %s: max_attempt_bytes must be positive: %w", name, ErrConfig)
		}
	}
	return nil
}

// EngineWideDiff lists, by YAML key, the settings in which o differs from c
// that the Engine applies to every flow as it arrives, before the flow's
// host (and so its subscription) is known: grace, hour_idle, max_hosts,
// learn_from_flow_logs, monitor_prefixes and each service's ports and
// max_attempt_bytes. Only the Engine's own Config decides those, so a
// per-subscription Config (Deps.Rules) must leave them as they are; the
// other settings (rules, c2, anomaly_factor, min_history_hours, top_n) are
// applied per host when its hour closes.
func (c *Config) EngineWideDiff(o *Config) []string {
	var out []string
	add := func(key string, same bool) {
		if !same {
			out = append(out, key)
		}
	}
	add("grace", c.Grace == o.Grace)
	add("hour_idle", c.HourIdle == o.HourIdle)
	add("max_hosts", c.MaxHosts == o.MaxHosts)
	add("learn_from_flow_logs", c.LearnFromFlowLogs == o.LearnFromFlowLogs)
	add("monitor_prefixes", slices.Equal(c.MonitorPrefixes, o.MonitorPrefixes))
	add("ssh.ports", slices.Equal(c.SSH.Ports, o.SSH.Ports))
	add("ssh.max_attempt_bytes", c.SSH.MaxAttemptBytes == o.SSH.MaxAttemptBytes)
	add("rdp.ports", slices.Equal(c.RDP.Ports, o.RDP.Ports))
	add("rdp.max_attempt_bytes", c.RDP.MaxAttemptBytes == o.RDP.MaxAttemptBytes)
	return out
}
