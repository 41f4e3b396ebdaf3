package config

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vedette/vedette/internal/flowsource"
	"github.com/vedette/vedette/internal/netdetect"
)

// Network configures the flow collector and the network detections.
type Network struct {
	Collector Collector `yaml:"collector"`
	// Inventory is an ip,host,subscription CSV file (see package
	// inventory) naming the monitored hosts. Empty: hosts are learned from
	// Azure flow logs only (and Detections.MonitorPrefixes).
	Inventory string `yaml:"inventory"`
	TI        TI     `yaml:"ti"`
	// SnapshotInterval is how often `vedette serve` saves the network
	// detection state to the store (it also saves on shutdown). Default 1m.
	SnapshotInterval time.Duration `yaml:"snapshot_interval"`
	// Detections are the network detections' thresholds and switches.
	Detections netdetect.Config `yaml:"detections"`
	// Overrides change the network detections for the hosts of some
	// subscriptions. Each is decoded over Detections in order, so the last
	// override of a subscription wins for each setting it names. Hosts
	// without a subscription use Detections.
	Overrides []NetworkOverride `yaml:"overrides"`
}

// NetworkOverride applies to the hosts of one Azure subscription (the
// inventory's subscription column, or the subscription of a flow log's
// resource ID). Its detections name only what changes, e.g.
//
//	{ssh: {incoming_one_to_one: {enabled: false}}, rdp: {incoming_one_to_one: {min_conns: 10}}, c2: false}
//
// Settings the engine applies to every flow before its host is known
// (netdetect.Config.EngineWideDiff: grace, max_hosts, ports, ...) cannot
// change per subscription.
type NetworkOverride struct {
	Subscription string    `yaml:"subscription"`
	Detections   yaml.Node `yaml:"detections"`
}

// Collector configures the UDP flow collector of `vedette serve`. Every
// socket accepts IPFIX, NetFlow v9 and v5; the two lists only name the
// conventional ports.
type Collector struct {
	// IPFIX are UDP listen addresses for IPFIX. Default [":4739"].
	IPFIX []string `yaml:"ipfix"`
	// NetFlow are UDP listen addresses for NetFlow v5/v9. Default [":2055"].
	NetFlow []string `yaml:"netflow"`
	// Sampling overrides the 1-in-N packet sampling rate of exporters, by
	// exporter IP address. Default none.
	Sampling map[string]uint32 `yaml:"sampling"`
	// MaxExporters caps the exporters keeping template state. Default 1024.
	MaxExporters int `yaml:"max_exporters"`
	// MaxTemplates caps templates per exporter. Default 256.
	MaxTemplates int `yaml:"max_templates"`
	// MaxTemplateFields rejects larger templates. Default 256.
	MaxTemplateFields int `yaml:"max_template_fields"`
	// ReadBuffer is the receive buffer asked for each UDP socket, in
	// bytes; 0 keeps the OS's. Default 16777216 (16 MiB). Linux caps it
	// at net.core.rmem_max unless the process has CAP_NET_ADMIN; serve
	// warns when it is capped.
	ReadBuffer int `yaml:"read_buffer"`
	// Exporters, if set, are the addresses or CIDRs whose packets are
	// accepted; packets from anywhere else are dropped and counted before
	// any state is kept. Default none: every sender is accepted.
	Exporters []string `yaml:"exporters"`
	// ExporterIdle evicts an exporter and its templates after this long
	// without a packet. Default 10m.
	ExporterIdle time.Duration `yaml:"exporter_idle"`
	// MaxTemplateMemory bounds all exporters' template state, in bytes.
	// Default 33554432 (32 MiB).
	MaxTemplateMemory int64 `yaml:"max_template_memory"`
}

// TI lists the threat-intelligence feeds of the C2 detection.
type TI struct {
	// Lists are plain IP/CIDR list files. Default none.
	Lists []string `yaml:"lists"`
	// STIX are STIX 2.1 JSON files (bundles or single indicators).
	STIX []string `yaml:"stix"`
	// ReloadInterval is how often `vedette serve` checks the feed files for
	// changes. Default 1m.
	ReloadInterval time.Duration `yaml:"reload_interval"`
}

// DefaultNetwork returns the network defaults: flowsource.DefaultConfig's
// caps and ports, netdetect.DefaultConfig's thresholds.
func DefaultNetwork() Network {
	fs := flowsource.DefaultConfig()
	return Network{
		Collector: Collector{
			IPFIX: []string{":4739"}, NetFlow: []string{":2055"},
			MaxExporters: fs.MaxExporters, MaxTemplates: fs.MaxTemplates, MaxTemplateFields: fs.MaxTemplateFields,
			ExporterIdle: fs.ExporterIdle, MaxTemplateMemory: fs.MaxTemplateMemory, ReadBuffer: fs.ReadBuffer,
		},
		TI:               TI{ReloadInterval: time.Minute},
		SnapshotInterval: time.Minute,
		Detections:       netdetect.DefaultConfig(),
	}
}

// FlowSource is the collector's configuration for package flowsource.
// Call it on a validated Network: bad sampling keys are skipped.
func (c Collector) FlowSource() flowsource.Config {
	out := flowsource.Config{
		Listen:       append(append([]string(nil), c.IPFIX...), c.NetFlow...),
		MaxExporters: c.MaxExporters, MaxTemplates: c.MaxTemplates, MaxTemplateFields: c.MaxTemplateFields,
		ReadBuffer: c.ReadBuffer, ExporterIdle: c.ExporterIdle, MaxTemplateMemory: c.MaxTemplateMemory,
	}
	for _, e := range c.Exporters {
		if p, err := parsePrefix(e); err == nil {
			out.Exporters = append(out.Exporters, p)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Sampling)) {
		v := c.Sampling[k]
		if ip, err := netip.ParseAddr(k); err == nil {
			if out.Sampling == nil {
				out.Sampling = map[netip.Addr]uint32{}
			}
			out.Sampling[ip.Unmap()] = v
		}
	}
	return out
}

// Feeds are the TI files, lists first.
func (t TI) Feeds() []string { return append(append([]string(nil), t.Lists...), t.STIX...) }

func (n *Network) validate() []error {
	errs := n.Collector.validate()
	if n.SnapshotInterval <= 0 {
		errs = append(errs, fmt.Errorf("network.snapshot_interval: %s must be positive", n.SnapshotInterval))
	}
	if n.TI.ReloadInterval <= 0 {
		errs = append(errs, fmt.Errorf("network.ti.reload_interval: %s must be positive", n.TI.ReloadInterval))
	}
	for i, p := range n.TI.Lists {
		if p == "" {
			errs = append(errs, fmt.Errorf("network.ti.lists[%d]: must not be empty", i))
		}
	}
	for i, p := range n.TI.STIX {
		if p == "" {
			errs = append(errs, fmt.Errorf("network.ti.stix[%d]: must not be empty", i))
		}
	}
	if err := n.Detections.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("network.detections: %w", err))
	}
	errs = append(errs, validatePorts(&n.Detections)...)
	for i, p := range n.Detections.MonitorPrefixes {
		if !p.IsValid() {
			errs = append(errs, fmt.Errorf("network.detections.monitor_prefixes[%d]: invalid prefix", i))
		}
	}
	return append(errs, n.validateOverrides()...)
}

// validateOverrides decodes each override over the settings the earlier
// overrides of its subscription produced, as NetworkScopes.Rules does.
func (n *Network) validateOverrides() []error {
	var errs []error
	bySub := map[string]netdetect.Config{}
	for i := range n.Overrides {
		o := &n.Overrides[i]
		where := fmt.Sprintf("network.overrides[%d]", i)
		sub := strings.ToLower(strings.TrimSpace(o.Subscription))
		if sub == "" {
			errs = append(errs, fmt.Errorf("%s: needs a subscription", where))
		}
		base, ok := bySub[sub]
		if !ok {
			base = n.Detections
		}
		d, err := decodeOver(base, &o.Detections)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.detections: %w", where, err))
			continue
		}
		for _, key := range n.Detections.EngineWideDiff(&d) {
			errs = append(errs, fmt.Errorf("%s.detections.%s: applies to every flow before its host is known, so it cannot differ per subscription; set it in network.detections", where, key))
		}
		if err := d.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s.detections: %w", where, err))
		}
		bySub[sub] = d
	}
	return errs
}

// reLine matches the line numbers of yaml's errors, which count lines of
// the re-encoded node rather than of the file.
var reLine = regexp.MustCompile(`line \d+: `)

// decodeOver decodes node strictly over a copy of base: settings the node
// does not name keep base's values.
func decodeOver[T any](base T, node *yaml.Node) (T, error) {
	if node.Kind == 0 {
		return base, nil
	}
	out := base
	var buf bytes.Buffer
	if err := yaml.NewEncoder(&buf).Encode(node); err != nil {
		return base, err
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(&out); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return base, fmt.Errorf("line %d: %s", node.Line, reLine.ReplaceAllString(strings.Join(te.Errors, "; "), ""))
		}
		return base, err
	}
	return out, nil
}

// NetworkScopes resolves the network detections' settings per
// subscription, once each. Safe for concurrent use.
type NetworkScopes struct {
	base      netdetect.Config
	overrides []NetworkOverride

	mu      sync.Mutex
	cache   map[string]*netdetect.Config
	runtime []runtimeNode // run-time overrides, "*" first
}

// Scopes returns the resolver of n's overrides, nil when it has none.
// n must be valid.
func (n *Network) Scopes() *NetworkScopes {
	if len(n.Overrides) == 0 {
		return nil
	}
	return &NetworkScopes{base: n.Detections, overrides: n.Overrides, cache: map[string]*netdetect.Config{}}
}

// Rules returns the network detections' settings for the hosts of
// subscription, with its overrides applied in order, or nil when no
// override names it (network.detections apply). It is netdetect.Deps.Rules.
func (s *NetworkScopes) Rules(subscription string) *netdetect.Config {
	key := strings.ToLower(strings.TrimSpace(subscription))
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cache[key]; ok {
		return c
	}
	var c *netdetect.Config
	for i := range s.overrides {
		o := &s.overrides[i]
		if key == "" || !strings.EqualFold(strings.TrimSpace(o.Subscription), key) {
			continue
		}
		if c == nil {
			base := s.base
			c = &base
		}
		// Validate decoded every override in this order: this cannot fail.
		*c, _ = decodeOver(*c, &o.Detections)
	}
	for _, r := range s.runtime {
		if key == "" || r.o.Subscription != "*" && !strings.EqualFold(r.o.Subscription, key) {
			continue
		}
		if c == nil {
			base := s.base
			c = &base
		}
		*c, _ = decodeOver(*c, r.n)
	}
	s.cache[key] = c
	return c
}

func validatePorts(d *netdetect.Config) []error {
	var errs []error
	ssh := map[uint16]bool{}
	for _, p := range d.SSH.Ports {
		ssh[p] = true
	}
	if slices.Contains(d.SSH.Ports, 0) || slices.Contains(d.RDP.Ports, 0) {
		errs = append(errs, fmt.Errorf("network.detections: port 0 is not a service port"))
	}
	for _, p := range d.RDP.Ports {
		if ssh[p] {
			errs = append(errs, fmt.Errorf("network.detections: port %d is in both ssh.ports and rdp.ports", p))
		}
	}
	return errs
}

func (c *Collector) validate() []error {
	var errs []error
	if len(c.IPFIX)+len(c.NetFlow) == 0 {
		errs = append(errs, fmt.Errorf("network.collector: needs at least one ipfix or netflow listen address"))
	}
	seen := map[string]bool{}
	for _, l := range []struct {
		name  string
		addrs []string
	}{{"ipfix", c.IPFIX}, {"netflow", c.NetFlow}} {
		name := l.name
		for i, a := range l.addrs {
			where := fmt.Sprintf("network.collector.%s[%d]", name, i)
			if err := validListen(a); err != nil {
				errs = append(errs, fmt.Errorf("%s: %q: %w", where, a, err))
			} else if seen[a] {
				errs = append(errs, fmt.Errorf("%s: %q is listed twice", where, a))
			}
			seen[a] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Sampling)) {
		v := c.Sampling[k]
		if _, err := netip.ParseAddr(k); err != nil {
			errs = append(errs, fmt.Errorf("network.collector.sampling: key %q is not an IP address", k))
		}
		if v == 0 {
			errs = append(errs, fmt.Errorf("network.collector.sampling[%s]: rate must be at least 1 (1 in N packets)", k))
		}
	}
	if min(c.MaxExporters, c.MaxTemplates, c.MaxTemplateFields) <= 0 {
		errs = append(errs, fmt.Errorf("network.collector: max_exporters, max_templates and max_template_fields must be positive"))
	}
	if c.ReadBuffer < 0 || c.ReadBuffer > 1<<30 {
		errs = append(errs, fmt.Errorf("network.collector.read_buffer: %d is outside [0, 1073741824] bytes (0: the OS default)", c.ReadBuffer))
	}
	for i, e := range c.Exporters {
		if _, err := parsePrefix(e); err != nil {
			errs = append(errs, fmt.Errorf("network.collector.exporters[%d]: %q is not an IP address or CIDR", i, e))
		}
	}
	if c.ExporterIdle < time.Second || c.ExporterIdle > 24*time.Hour {
		errs = append(errs, fmt.Errorf("network.collector.exporter_idle: %s is outside [1s, 24h]", c.ExporterIdle))
	}
	if c.MaxTemplateMemory < 1<<20 || c.MaxTemplateMemory > 16<<30 {
		errs = append(errs, fmt.Errorf("network.collector.max_template_memory: %d bytes is outside [1 MiB, 16 GiB]", c.MaxTemplateMemory))
	}
	return errs
}

// parsePrefix reads an exporter: a CIDR, or one address (a /32 or /128).
func parsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// validListen checks a host:port UDP listen address without resolving it.
func validListen(a string) error {
	_, port, err := net.SplitHostPort(a)
	if err != nil {
		return fmt.Errorf("want host:port or :port")
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || (n == 0 && port != "0") {
		return fmt.Errorf("port %q is not a number in 0..65535", port)
	}
	return nil
}

// resolvePaths makes the network section's file paths absolute with abs.
func (n *Network) resolvePaths(abs func(string) string) {
	n.Inventory = abs(n.Inventory)
	for i := range n.TI.Lists {
		n.TI.Lists[i] = abs(n.TI.Lists[i])
	}
	for i := range n.TI.STIX {
		n.TI.STIX[i] = abs(n.TI.STIX[i])
	}
}
