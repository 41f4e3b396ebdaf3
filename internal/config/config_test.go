package config

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/enrich/iplist"
	"github.com/vedette/vedette/internal/flowsource"
	"github.com/vedette/vedette/internal/netdetect"
	"github.com/vedette/vedette/internal/source/kafka"
)

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "detections:\n  impossible_travel:\n    max_sped_kmh: 900\n", "field max_sped_kmh not found"},
		{"wrong type", "detections:\n  impossible_travel:\n    max_speed_kmh: fast\n", "cannot unmarshal"},
		{"bad duration", "baseline:\n  window: 30d\n", "line 2: cannot unmarshal !!str `30d` into time.Duration"},
		{"short window", "baseline:\n  window: 1h\n", "baseline.window: 1h is outside [24h, 8784h]"},
		{"century window", "baseline:\n  window: 876000h\n", "baseline.window: 876000h is outside [0, 87600h]"},
		{"cap past int32", "network:\n  detections: {max_hosts: 9200000000000000000}\n", "network.detections.max_hosts: 9200000000000000000 is outside [0, 2147483648]"},
		{"huge speed", "detections:\n  impossible_travel:\n    max_speed_kmh: 1e300\n", "detections.impossible_travel.max_speed_kmh: 1e+300 is outside"},
		{"huge grace", "network:\n  detections: {grace: 2000000h}\n", "network.detections.grace: 2000000h is outside"},
		{"override out of range", "overrides:\n  - tenant: t\n    detections: {anonymous_ip: {repeat: 100000h}}\n", "overrides[0].detections.anonymous_ip.repeat: 100000h is outside"},
		{"second document", "data_dir: a\n---\ndata_dir: b\n", "line 2: a second YAML document"},
		{"anonymous-vpn is a category the loader knows", "lists:\n  - {path: x.txt, category: anonymous-vpn}\n  - {path: y.txt, category: anonymous-vpns}\n", `lists[1].category: "anonymous-vpns"`},
		{"threshold above exact range", "detections:\n  anonymous_ip:\n    org_common_principals: 50\n", "anonymous_ip.org_common_principals: 50 is outside 1..8"},
		{"negative speed", "detections:\n  impossible_travel:\n    max_speed_kmh: -1\n", "max_speed_kmh: must be positive"},
		{"list category", "lists:\n  - {path: x.txt, category: evil}\n", `lists[0].category: "evil" is not one of`},
		{"list path", "lists:\n  - {category: tor-exit}\n", "lists[0].path: must not be empty"},
		{"override without scope", "overrides:\n  - detections: {anonymous_ip: {enabled: false}}\n", "overrides[0]: needs a tenant or a subscription"},
		{"override typo", "overrides:\n  - tenant: t\n    detections: {anonymous_ip: {enable: false}}\n", "overrides[0].detections: "},
		{"microburst window past a session", "detections:\n  microburst:\n    window: 3h\n", "microburst.window: 3h0m0s is outside (0, 2h0m0s]"},
		{"persistence window", "detections:\n  persistence_technique:\n    window: 0s\n", "persistence_technique.window: 0s is outside"},
		{"microburst one kind", "detections:\n  microburst:\n    min_kinds: 1\n", "microburst.min_kinds: 1, want at least 2"},
		{"azurite per app", "detections:\n  azurite:\n    per_app: 1\n", "azurite.per_app: 1, want at least 2"},
		{"inactive below dormancy", "detections:\n  inactive_account_persistence:\n    inactive: 72h\n", "inactive_account_persistence.inactive: 72h0m0s is shorter than 168h0m0s"},
		{"powershell lookback", "detections:\n  powershell_persistence:\n    lookback: 24h\n", "powershell_persistence.lookback: 24h0m0s is shorter"},
		{"powershell learning", "detections:\n  powershell_persistence:\n    learning: -1h\n", "powershell_persistence.learning: must not be negative"},
		{"management override", "overrides:\n  - tenant: t\n    detections: {azurite: {min_apps: 1}}\n", "overrides[0].detections.azurite.min_apps"},
		{"override bad value", "overrides:\n  - tenant: t\n    detections: {impossible_travel: {max_speed_kmh: 0}}\n", "overrides[0].detections.impossible_travel.max_speed_kmh"},
		{"network unknown key", "network:\n  colector: {}\n", "field colector not found"},
		{"network listen without port", "network:\n  collector: {ipfix: [\"0.0.0.0\"]}\n", `network.collector.ipfix[0]: "0.0.0.0": want host:port`},
		{"network listen bad port", "network:\n  collector: {netflow: [\":99999\"]}\n", `network.collector.netflow[0]: ":99999": port "99999" is not a number`},
		{"network listen twice", "network:\n  collector: {ipfix: [\":4739\"], netflow: [\":4739\"]}\n", `network.collector.netflow[0]: ":4739" is listed twice`},
		{"network no listen", "network:\n  collector: {ipfix: [], netflow: []}\n", "network.collector: needs at least one ipfix or netflow listen address"},
		{"network sampling key", "network:\n  collector: {sampling: {router-1: 100}}\n", `network.collector.sampling: key "router-1" is not an IP address`},
		{"network sampling zero", "network:\n  collector: {sampling: {192.0.2.1: 0}}\n", "network.collector.sampling[192.0.2.1]: rate must be at least 1"},
		{"network caps", "network:\n  collector: {max_templates: 0}\n", "max_template_fields must be positive"},
		{"network ti empty path", "network:\n  ti: {stix: [\"\"]}\n", "network.ti.stix[0]: must not be empty"},
		{"network ti reload", "network:\n  ti: {reload_interval: 0s}\n", "network.ti.reload_interval: 0s must be positive"},
		{"network snapshot", "network:\n  snapshot_interval: -1s\n", "network.snapshot_interval: -1s must be positive"},
		{"network grace", "network:\n  detections: {grace: 2h}\n", "network.detections: netdetect: grace 2h0m0s not in [0, 1h]"},
		{"network rule", "network:\n  detections: {ssh: {incoming_one_to_one: {enabled: true, min_conns: 0}}}\n", "enabled rule needs min_conns and min_peers >= 1"},
		{"network port overlap", "network:\n  detections: {rdp: {ports: [22]}}\n", "network.detections: port 22 is in both ssh.ports and rdp.ports"},
		{"network bad prefix", "network:\n  detections: {monitor_prefixes: [10.0.0.0/33]}\n", "prefix length out of range"},
		{"network rule typo", "network:\n  detections: {ssh: {incoming_one_to_one: {min_con: 3}}}\n", "field min_con not found"},
		{"activity topics without brokers", "activity:\n  kafka: {topics: [t]}\n", "activity.kafka.brokers: needs at least one host:port"},
		{"activity broker port", "activity:\n  kafka: {brokers: [\"hub.servicebus.windows.net\"], topics: [t]}\n", `activity.kafka.brokers[0]: "hub.servicebus.windows.net": want host:port`},
		{"activity no topic", "activity:\n  kafka: {brokers: [\"k:9092\"]}\n", "activity.kafka.topics: needs at least one topic"},
		{"activity start offset", "activity:\n  kafka: {brokers: [\"k:9092\"], topics: [t], start_offset: oldest}\n", `activity.kafka.start_offset: "oldest" is not one of earliest, latest`},
		{"activity empty group", "activity:\n  kafka: {brokers: [\"k:9092\"], topics: [t], group: \"\"}\n", "activity.kafka.group: must not be empty"},
		{"activity sasl in clear", "activity:\n  kafka: {brokers: [\"k:9093\"], topics: [t], sasl: {mechanism: plain, username: u, password: p}}\n", "plain sends the password in clear: enable tls"},
		{"activity sasl two passwords", "activity:\n  kafka: {brokers: [\"k:9093\"], topics: [t], tls: {enabled: true}, sasl: {mechanism: plain, username: u, password: p, password_env: P}}\n", "needs exactly one of password, password_env"},
		{"activity sasl mechanism", "activity:\n  kafka: {brokers: [\"k:9093\"], topics: [t], tls: {enabled: true}, sasl: {mechanism: scram-sha-1}}\n", `activity.kafka.sasl.mechanism: "scram-sha-1" is not one of plain, scram-sha-256, scram-sha-512`},
		{"activity lateness", "activity:\n  lateness: 48h\n", "activity.lateness: 48h0m0s is outside [0, 24h]"},
		{"activity commit interval", "activity:\n  commit_interval: 0s\n", "activity.commit_interval: 0s must be positive"},
		{"activity typo", "activity:\n  kafka: {broker: [\"k:9092\"]}\n", "field broker not found"},
		{"no flows without activity", "network:\n  collector: {ipfix: [], netflow: []}\nactivity:\n  lateness: 1m\n", "network.collector: needs at least one ipfix or netflow listen address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(strings.NewReader(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEmptyIsDefault(t *testing.T) {
	cfg, err := Parse(strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Default(), cfg); diff != "" {
		t.Errorf("empty config differs from defaults (-want +got):\n%s", diff)
	}
}

func TestFullExampleAndOverrides(t *testing.T) {
	f, err := os.Open("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Baseline.Window != 720*time.Hour || len(cfg.Lists) != 2 {
		t.Errorf("window %s, %d lists", cfg.Baseline.Window, len(cfg.Lists))
	}
	const tenant, sub = "72F988BF-86F1-41AF-91AB-2D7CD011DB47", "0b1f6471-1bf0-4dda-aec3-111122223333"
	s := cfg.Scopes()
	identity := []string{"password-spray", "brute-force-success", "malicious-ip-activity", "mass-resource-deletion"}
	management := []string{"microburst", "azurite", "inactive-account-persistence", "powershell-persistence", "persistence-technique"}
	tests := []struct {
		name        string
		tenant, sub string
		want        []string
		maxSpeedKmh float64
	}{
		{"other tenant: defaults", "other", "", slices.Concat([]string{"impossible-travel", "infrequent-country", "anonymous-ip"}, identity, management), 900},
		{"tenant override, case-insensitive", tenant, "", slices.Concat([]string{"impossible-travel", "infrequent-country"}, identity, management), 1200},
		{"both overrides on the subscription", tenant, sub, slices.Concat([]string{"infrequent-country"}, identity, []string{"azurite", "inactive-account-persistence", "powershell-persistence", "persistence-technique"}), 0},
	}
	for _, tt := range tests {
		ds := s.Detectors(tt.tenant, tt.sub)
		var ids []string
		speed := 0.0
		for _, d := range ds {
			ids = append(ids, d.Meta().ID)
			if mb, ok := d.(*detect.MicroBurst); ok && (mb.MinKinds != 5 || mb.Window != 20*time.Minute) {
				t.Errorf("%s: microburst settings %+v, want the file's", tt.name, *mb)
			}
			if ia, ok := d.(*detect.InactiveAccount); ok && ia.Inactive != 30*24*time.Hour {
				t.Errorf("%s: inactive %s, want the file's 720h", tt.name, ia.Inactive)
			}
			if it, ok := d.(*detect.ImpossibleTravel); ok {
				speed = it.MaxSpeedKmh
				if it.Learning != 168*time.Hour {
					t.Errorf("%s: override lost the base learning period: %s", tt.name, it.Learning)
				}
			}
		}
		if diff := cmp.Diff(tt.want, ids); diff != "" {
			t.Errorf("%s: detectors (-want +got):\n%s", tt.name, diff)
		}
		if speed != tt.maxSpeedKmh {
			t.Errorf("%s: max speed %v, want %v", tt.name, speed, tt.maxSpeedKmh)
		}
	}
}

func FuzzParse(f *testing.F) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add("overrides:\n  - tenant: t\n    detections: {impossible_travel: {max_speed_kmh: 1}}\n")
	f.Add("baseline: {window: 8784h}\nnetwork: {detections: {grace: 1h, max_hosts: 2147483648}}\n---\n")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		cfg.Scopes().Detectors("t", "s")
		// What check prints is a configuration that reads back the same.
		out, err := cfg.YAML()
		if err != nil {
			t.Fatalf("YAML: %v", err)
		}
		if _, err := Parse(bytes.NewReader(out)); err != nil {
			t.Fatalf("printed configuration does not parse: %v\n%s", err, out)
		}
	})
}

func TestNetworkSection(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "vedette.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.Network
	want := DefaultNetwork()
	want.Collector.NetFlow = []string{":2055", "127.0.0.1:9995"}
	want.Collector.Sampling = map[string]uint32{"192.0.2.10": 512, "2001:db8::1": 1000}
	want.Collector.ReadBuffer = 4 << 20
	want.Inventory = filepath.Join(dir, "inventory.csv")
	want.TI = TI{Lists: []string{filepath.Join(dir, "ti/blocklist.txt")}, STIX: []string{filepath.Join(dir, "ti/indicators.json")}, ReloadInterval: 5 * time.Minute}
	want.SnapshotInterval = 30 * time.Second
	want.Detections.SSH.Ports = []uint16{22, 2222}
	want.Detections.RDP.OutgoingOne.Enabled = false
	want.Detections.MonitorPrefixes = []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16"), netip.MustParsePrefix("fd00::/64")}
	if diff := cmp.Diff(want, n, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("network section (-want +got):\n%s", diff)
	}
	fs := n.Collector.FlowSource()
	if diff := cmp.Diff([]string{":4739", ":2055", "127.0.0.1:9995"}, fs.Listen); diff != "" {
		t.Errorf("listen (-want +got):\n%s", diff)
	}
	if fs.Sampling[netip.MustParseAddr("192.0.2.10")] != 512 || len(fs.Sampling) != 2 || fs.Validate() != nil {
		t.Errorf("flowsource config %+v", fs)
	}
	if got := n.TI.Feeds(); len(got) != 2 {
		t.Errorf("feeds %v", got)
	}
}

func TestActivitySection(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "vedette.yaml")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultActivity()
	want.Lateness, want.CommitInterval = 10*time.Minute, 15*time.Second
	k := &want.Kafka
	k.Brokers = []string{"contoso-logs.servicebus.windows.net:9093"}
	k.Topics = []string{"insights-logs-signinlogs", "insights-activity-logs"}
	k.ClientID = "vedette-prod"
	k.SASL = kafka.SASL{Mechanism: "plain", Username: "$ConnectionString", PasswordEnv: "VEDETTE_EVENTHUB_CONNECTION_STRING"}
	k.TLS = kafka.TLS{Enabled: true, CAFile: filepath.Join(dir, "certs/ca.pem"), ServerName: "contoso-logs.servicebus.windows.net"}
	if diff := cmp.Diff(want, cfg.Activity); diff != "" {
		t.Errorf("activity section (-want +got):\n%s", diff)
	}
	if !cfg.Activity.Live() || Default().Activity.Live() {
		t.Error("Live: want true for the full example, false by default")
	}
	// Activity only: an empty collector is allowed and opens no port.
	only, err := Parse(strings.NewReader("network:\n  collector: {ipfix: [], netflow: []}\nactivity:\n  kafka: {brokers: [\"127.0.0.1:9092\"], topics: [t]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(only.Network.Collector.IPFIX) + len(only.Network.Collector.NetFlow); n != 0 {
		t.Errorf("activity-only config kept %d listen addresses", n)
	}
}

func TestNetworkDefaults(t *testing.T) {
	t.Parallel()
	n := Default().Network
	if diff := cmp.Diff([]string{":4739", ":2055"}, n.Collector.FlowSource().Listen); diff != "" {
		t.Errorf("default listen (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(netdetect.DefaultConfig(), n.Detections); diff != "" {
		t.Errorf("default detections (-want +got):\n%s", diff)
	}
	if n.Collector.MaxExporters != flowsource.DefaultConfig().MaxExporters || n.TI.ReloadInterval != time.Minute {
		t.Errorf("defaults %+v", n)
	}
}

// TestREADMEExampleIsValid keeps the README's commented example config
// true: it must parse and validate.
func TestREADMEExampleIsValid(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```yaml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README has no yaml example")
	}
	if _, err := Parse(strings.NewReader(example)); err != nil {
		t.Errorf("README example config: %v", err)
	}
}

func TestNetworkOverrideErrors(t *testing.T) {
	t.Parallel()
	const ok = "  - subscription: aaaa\n    detections: {c2: false}\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"no subscription", "  - detections: {c2: false}\n", "network.overrides[0]: needs a subscription"},
		{"blank subscription", "  - subscription: \" \"\n", "network.overrides[0]: needs a subscription"},
		{"unknown key, index of the second", ok + "  - subscription: bbbb\n    detections: {ssh: {incoming_one_to_one: {enable: false}}}\n",
			"network.overrides[1].detections: line 6: field enable not found in type netdetect.Rule"},
		{"unknown override key", "  - subscription: aaaa\n    tenant: t\n", "field tenant not found"},
		{"wrong type", "  - subscription: aaaa\n    detections: {c2: maybe}\n", "network.overrides[0].detections: line 4: cannot unmarshal"},
		{"ports are engine-wide", "  - subscription: aaaa\n    detections: {ssh: {ports: [22, 2222]}}\n",
			"network.overrides[0].detections.ssh.ports: applies to every flow before its host is known"},
		{"grace is engine-wide", ok + "  - subscription: aaaa\n    detections: {grace: 1m}\n", "network.overrides[1].detections.grace: applies to every flow"},
		{"attempt size is engine-wide", "  - subscription: aaaa\n    detections: {rdp: {max_attempt_bytes: 1}}\n", "network.overrides[0].detections.rdp.max_attempt_bytes"},
		{"monitor prefixes are engine-wide", "  - subscription: aaaa\n    detections: {monitor_prefixes: [10.0.0.0/8]}\n", "network.overrides[0].detections.monitor_prefixes"},
		{"enabled rule without threshold", "  - subscription: aaaa\n    detections: {rdp: {incoming_many_to_one: {min_peers: 0}}}\n",
			"network.overrides[0].detections: netdetect: rdp: enabled rule needs min_conns and min_peers >= 1"},
		{"top_n", "  - subscription: aaaa\n    detections: {top_n: 9}\n", "network.overrides[0].detections: netdetect: top_n must be in [1, 4]"},
		{"anomaly factor", "  - subscription: aaaa\n    detections: {anomaly_factor: 0.5}\n", "network.overrides[0].detections: netdetect: anomaly_factor must be >= 1"},
		// Each alone is valid; together (same subscription, any case) the
		// rule is enabled with no threshold.
		{"overrides of one subscription combine",
			"  - subscription: aaaa\n    detections: {ssh: {incoming_one_to_one: {enabled: false, min_conns: 0}}}\n" +
				"  - subscription: AAAA\n    detections: {ssh: {incoming_one_to_one: {enabled: true}}}\n",
			"network.overrides[1].detections: netdetect: ssh: enabled rule needs min_conns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(strings.NewReader("network:\n  overrides:\n" + tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestNetworkOverrides(t *testing.T) {
	t.Parallel()
	const doc = `network:
  detections:
    ssh: {ports: [22, 2222]}
    rdp: {incoming_one_to_one: {min_conns: 25}}
  overrides:
    - subscription: AAAA0A0A-BB1B-4CCC-9DDD-111122223333
      detections:
        ssh: {incoming_one_to_one: {enabled: false}}
        c2: false
    - subscription: bbbb0b0b-cc2c-4ddd-9eee-444455556666
      detections: {rdp: {incoming_one_to_one: {min_conns: 10}}, top_n: 2}
    - subscription: aaaa0a0a-bb1b-4ccc-9ddd-111122223333
      detections: {anomaly_factor: 5}
`
	cfg, err := Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Network.Scopes()
	global := cfg.Network.Detections
	a, b := global, global
	a.SSH.IncomingOne.Enabled, a.C2, a.AnomalyFactor = false, false, 5
	b.RDP.IncomingOne.MinConns, b.TopN = 10, 2
	tests := []struct {
		name, sub string
		want      *netdetect.Config
	}{
		{"both overrides of a, in order", "aaaa0a0a-bb1b-4ccc-9ddd-111122223333", &a},
		{"case and spaces do not matter", " AAAA0A0A-BB1B-4CCC-9DDD-111122223333", &a},
		{"b keeps the global settings it does not name", "bbbb0b0b-cc2c-4ddd-9eee-444455556666", &b},
		{"other subscription: global", "cccc", nil},
		{"no subscription: global", "", nil},
	}
	for _, tt := range tests {
		got := s.Rules(tt.sub)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Rules(%q) (-want +got):\n%s", tt.name, tt.sub, diff)
		}
	}
	if s.Rules("aaaa0a0a-bb1b-4ccc-9ddd-111122223333") != s.Rules("AAAA0A0A-BB1B-4CCC-9DDD-111122223333") {
		t.Error("Rules resolved a subscription twice")
	}
	if cfg.Network.Detections.SSH.IncomingOne != netdetect.DefaultConfig().SSH.IncomingOne {
		t.Error("resolving an override changed the global settings")
	}
	if n := Default().Network; n.Scopes() != nil {
		t.Error("Scopes without overrides is not nil")
	}
}

func FuzzParseNetworkOverrides(f *testing.F) {
	f.Add("network:\n  overrides:\n    - subscription: s\n      detections: {ssh: {incoming_one_to_one: {enabled: false}}, c2: false}\n")
	f.Add("network:\n  overrides:\n    - subscription: s\n      detections: {rdp: {incoming_one_to_one: {min_conns: 10}}}\n    - subscription: S\n      detections: {top_n: 1}\n")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		sc := cfg.Network.Scopes()
		for _, o := range cfg.Network.Overrides {
			if c := sc.Rules(o.Subscription); c == nil || c.Validate() != nil || len(cfg.Network.Detections.EngineWideDiff(c)) > 0 {
				t.Fatalf("override of %q resolved to %+v", o.Subscription, c)
			}
		}
	})
}

// TestEveryLoaderCategoryPasses: each category the list loader accepts
// passes check, anonymous-vpn (which the README documents) included.
func TestEveryLoaderCategoryPasses(t *testing.T) {
	for _, c := range iplist.Categories {
		if _, err := Parse(strings.NewReader("lists:\n  - {path: x.txt, category: " + string(c) + "}\n")); err != nil {
			t.Errorf("category %s: %v", c, err)
		}
	}
	if !slices.Contains(iplist.Categories, iplist.AnonymousVPN) {
		t.Error("anonymous-vpn, used by the anonymous-IP detections, is not a list category")
	}
}
