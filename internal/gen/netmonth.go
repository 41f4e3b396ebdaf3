package gen

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// NetworkConfig says what network month GenerateNetwork writes.
type NetworkConfig struct {
	Seed         uint64
	Start        time.Time // first day, UTC midnight
	Days         int
	VMs          int    // virtual machines in the VNet, at least 12
	Subscription string // Azure subscription ID of the VNet
}

// DefaultNetworkConfig is 36 VMs over 14 days from October 2026.
func DefaultNetworkConfig() NetworkConfig {
	return NetworkConfig{
		Seed: 1, Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Days: 14, VMs: 36,
		Subscription: "4f1c2b7e-9a3d-4e58-b6c1-2d7e9f0a1b3c",
	}
}

// Validate checks c without touching the disk.
func (c NetworkConfig) Validate() error {
	switch {
	case c.Days < 4:
		return fmt.Errorf("gen: network days %d: at least 4 needed (a day of history, then attacks): %w", c.Days, ErrConfig)
	case c.VMs < 12 || c.VMs > 250:
		return fmt.Errorf("gen: network vms %d not in 12..250: %w", c.VMs, ErrConfig)
	case c.Start.IsZero() || !c.Start.Equal(c.Start.Truncate(24*time.Hour)):
		return fmt.Errorf("gen: network start %s is not a UTC midnight: %w", c.Start, ErrConfig)
	case c.Subscription == "":
		return fmt.Errorf("gen: network subscription is empty: %w", ErrConfig)
	}
	return nil
}

// NetworkSummary is what GenerateNetwork wrote.
type NetworkSummary struct {
	Files  int            // flow log files (one per day)
	Tuples int            // flow tuples in them
	Labels map[string]int // labelled alerts by detection
}

// Files GenerateNetwork writes besides the daily flow logs.
const (
	NetInventoryFile = "inventory.csv"
	NetTIFile        = "ti-blocklist.txt"
	NetLabelsFile    = "netlabels.jsonl"
)

// nmVM is one virtual machine and its NIC.
type nmVM struct {
	Name    string
	IP      netip.Addr
	MAC     string // 12 upper-case hex digits, as flow logs write it
	Windows bool
	Role    string // jump, backup, web, app, db, sftp, rdpgw
	Exposed uint16 // service port allowed from the Internet, 0 for none
}

// nmGen holds one network month being generated.
type nmGen struct {
	cfg     NetworkConfig
	rng     *rand.Rand
	vms     []*nmVM
	byIP    map[netip.Addr]*nmVM
	tuples  []nmTuple
	labels  []Label
	ti      []netip.Addr
	used    map[netip.Addr]bool
	vnetID  string
	aclID   string
	flowLog string
}

// GenerateNetwork writes a labelled network month into dir: one Azure VNet
// flow log file (flowLogVersion 4) per day for cfg.VMs virtual machines
// with their benign traffic (web and database tiers, Azure services,
// nightly backups, jump boxes making daily SSH and RDP sessions, Internet
// scanners hitting denied ports), labelled attacks (incoming SSH and RDP
// brute force from one and from many sources, outgoing brute force to one
// and to many destinations, beaconing to a threat-intel listed address),
// the inventory CSV, the TI list, and the labels (netlabels.jsonl, one
// Label per expected alert: Principal is the inventory host name, Time the
// alert's time, Key the evidence key of its top peer). Same config, same
// bytes.
func GenerateNetwork(dir string, cfg NetworkConfig) (NetworkSummary, error) {
	if err := cfg.Validate(); err != nil {
		return NetworkSummary{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return NetworkSummary{}, fmt.Errorf("gen: %w", err)
	}
	g := &nmGen{
		cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x4e7)), byIP: map[netip.Addr]*nmVM{}, used: map[netip.Addr]bool{},
		vnetID: "/subscriptions/" + cfg.Subscription + "/resourceGroups/rg-prod-network/providers/Microsoft.Network/virtualNetworks/vnet-prod",
		aclID:  fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", g32(cfg.Seed), cfg.Seed&0xffff, 7, 11, cfg.Seed*7919),
		flowLog: "/SUBSCRIPTIONS/" + strings.ToUpper(cfg.Subscription) +
			"/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_WESTEUROPE/FLOWLOGS/VNET-PROD-FLOWLOG",
	}
	g.buildVMs()
	g.buildTI()
	for d := range cfg.Days {
		g.benignDay(d)
	}
	if err := g.attacks(); err != nil {
		return NetworkSummary{}, err
	}
	return g.write(dir)
}

func g32(s uint64) uint32 { return uint32(s*2654435761) ^ 0x9e3779b9 }

// buildVMs lays out the VNet: management, web, app, data subnets.
func (g *nmGen) buildVMs() {
	add := func(name, role string, subnet, host int, windows bool, exposed uint16) {
		ip := netip.AddrFrom4([4]byte{10, 40, byte(subnet), byte(host)})
		mac := fmt.Sprintf("0022%08X", g.rng.Uint32())
		vm := &nmVM{Name: name, IP: ip, MAC: mac, Windows: windows, Role: role, Exposed: exposed}
		g.vms = append(g.vms, vm)
		g.byIP[ip] = vm
	}
	add("jump-lnx-01", "jump", 0, 4, false, 0)
	add("jump-win-01", "jump", 0, 5, true, 0)
	add("backup-01", "backup", 0, 6, false, 0)
	add("sftp-01", "sftp", 1, 4, false, 22)
	add("rdgw-01", "rdpgw", 1, 5, true, 3389)
	n := g.cfg.VMs - len(g.vms)
	for i := range n {
		switch {
		case i < n*2/5:
			add(fmt.Sprintf("web-%02d", i+1), "web", 1, 10+i, false, 0)
		case i < n*4/5:
			add(fmt.Sprintf("app-%02d", i+1-n*2/5), "app", 2, 10+i, i%3 == 0, 0)
		default:
			add(fmt.Sprintf("db-%02d", i+1-n*4/5), "db", 3, 10+i, i%2 == 0, 0)
		}
	}
}

// publicAddr returns an unused Internet address in one of the /16s.
func (g *nmGen) publicAddr(nets ...[2]byte) netip.Addr {
	for {
		n := nets[g.rng.IntN(len(nets))]
		ip := netip.AddrFrom4([4]byte{n[0], n[1], byte(g.rng.IntN(256)), byte(1 + g.rng.IntN(253))})
		if !g.used[ip] {
			g.used[ip] = true
			return ip
		}
	}
}

// Address pools: hosting networks scanners and attackers rent from, the
// C2 operator's network (listed), Azure service front ends.
var (
	scannerNets = [][2]byte{{45, 142}, {185, 224}, {193, 32}, {80, 94}, {162, 142}, {89, 248}, {141, 98}, {92, 63}}
	attackNets  = [][2]byte{{5, 188}, {103, 145}, {179, 43}, {212, 70}, {61, 177}, {118, 25}}
	victimNets  = [][2]byte{{64, 227}, {138, 68}, {159, 203}, {134, 209}, {167, 99}, {178, 128}}
	c2Nets      = [][2]byte{{194, 87}, {91, 219}}
	azureNets   = [][2]byte{{20, 60}, {52, 239}, {40, 74}, {13, 107}}
)

// buildTI lists 40 C2 addresses.
func (g *nmGen) buildTI() {
	for range 40 {
		g.ti = append(g.ti, g.publicAddr(c2Nets...))
	}
}

func (g *nmGen) write(dir string) (NetworkSummary, error) {
	sum := NetworkSummary{Labels: map[string]int{}}
	slices.SortFunc(g.tuples, compareTuples)
	for d := range g.cfg.Days {
		day := g.cfg.Start.AddDate(0, 0, d)
		lo, _ := slices.BinarySearchFunc(g.tuples, day, func(t nmTuple, at time.Time) int { return t.at.Compare(at) })
		hi, _ := slices.BinarySearchFunc(g.tuples, day.AddDate(0, 0, 1), func(t nmTuple, at time.Time) int { return t.at.Compare(at) })
		name := "vnetflowlogs-" + day.Format("2006-01-02") + ".json"
		if err := g.writeDay(filepath.Join(dir, name), g.tuples[lo:hi]); err != nil {
			return sum, err
		}
		sum.Files++
		sum.Tuples += hi - lo
	}
	var inv strings.Builder
	inv.WriteString("ip,host,subscription\n")
	for _, vm := range g.vms {
		fmt.Fprintf(&inv, "%s,%s,%s\n", vm.IP, vm.Name, g.cfg.Subscription)
	}
	var ti strings.Builder
	ti.WriteString("# C2 infrastructure (generated threat-intel feed)\n")
	for _, ip := range g.ti {
		ti.WriteString(ip.String() + "\n")
	}
	err := errors.Join(
		os.WriteFile(filepath.Join(dir, NetInventoryFile), []byte(inv.String()), 0o644),
		os.WriteFile(filepath.Join(dir, NetTIFile), []byte(ti.String()), 0o644),
		writeLabels(filepath.Join(dir, NetLabelsFile), g.labels),
	)
	if err != nil {
		return sum, fmt.Errorf("gen: %w", err)
	}
	for _, l := range g.labels {
		sum.Labels[l.Detection]++
	}
	return sum, nil
}

// vnetRecord is one VNet flow log record (flowLogVersion 4): one NIC's
// tuples of one hour, grouped by the rule that matched.
type vnetRecord struct {
	Time        string       `json:"time"`
	Version     int          `json:"flowLogVersion"`
	GUID        string       `json:"flowLogGUID"`
	MAC         string       `json:"macAddress"`
	Category    string       `json:"category"`
	FlowLogID   string       `json:"flowLogResourceID"`
	Target      string       `json:"targetResourceID"`
	Operation   string       `json:"operationName"`
	FlowRecords vnetFlowRecs `json:"flowRecords"`
}

type vnetFlowRecs struct {
	Flows []vnetACLOut `json:"flows"`
}

type vnetACLOut struct {
	ACLID      string         `json:"aclID"`
	FlowGroups []vnetGroupOut `json:"flowGroups"`
}

type vnetGroupOut struct {
	Rule       string   `json:"rule"`
	FlowTuples []string `json:"flowTuples"`
}

// writeDay writes one day's tuples (sorted by time) as records per hour
// and NIC.
func (g *nmGen) writeDay(path string, ts []nmTuple) error {
	type key struct {
		hour int64
		vm   int
	}
	idx := map[*nmVM]int{}
	for i, vm := range g.vms {
		idx[vm] = i
	}
	groups := map[key]map[string][]string{}
	var keys []key
	for _, t := range ts {
		k := key{t.at.Unix() / 3600, idx[t.nic]}
		if groups[k] == nil {
			groups[k] = map[string][]string{}
			keys = append(keys, k)
		}
		groups[k][t.rule] = append(groups[k][t.rule], t.format())
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.hour != b.hour {
			return int(a.hour - b.hour)
		}
		return a.vm - b.vm
	})
	recs := make([]vnetRecord, 0, len(keys))
	for _, k := range keys {
		vm := g.vms[k.vm]
		acl := vnetACLOut{ACLID: g.aclID}
		for _, rule := range slices.Sorted(maps.Keys(groups[k])) {
			acl.FlowGroups = append(acl.FlowGroups, vnetGroupOut{Rule: rule, FlowTuples: groups[k][rule]})
		}
		at := time.Unix((k.hour+1)*3600, int64(g.rng.IntN(900_000_000))).UTC()
		recs = append(recs, vnetRecord{
			Time: at.Format("2006-01-02T15:04:05.0000000Z"), Version: 4, GUID: g.aclID, MAC: vm.MAC,
			Category: "FlowLogFlowEvent", FlowLogID: g.flowLog, Target: g.vnetID, Operation: "FlowLogFlowEvent",
			FlowRecords: vnetFlowRecs{Flows: []vnetACLOut{acl}},
		})
	}
	data, err := json.Marshal(map[string][]vnetRecord{"records": recs})
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	return nil
}

// nmTuple is one flow tuple as the NIC that logged it writes it.
type nmTuple struct {
	at       time.Time
	src, dst netip.Addr
	sport    uint16
	dport    uint16
	proto    uint8
	out      bool // logged as outbound by nic
	state    byte // B, C, E or D
	pk, by   uint64
	rpk, rby uint64
	nic      *nmVM
	rule     string
}

func (t nmTuple) format() string {
	dir := "I"
	if t.out {
		dir = "O"
	}
	return strings.Join([]string{
		strconv.FormatInt(t.at.UnixMilli(), 10), t.src.String(), t.dst.String(),
		strconv.Itoa(int(t.sport)), strconv.Itoa(int(t.dport)), strconv.Itoa(int(t.proto)), dir, string(t.state), "NX",
		strconv.FormatUint(t.pk, 10), strconv.FormatUint(t.by, 10), strconv.FormatUint(t.rpk, 10), strconv.FormatUint(t.rby, 10),
	}, ",")
}

func compareTuples(a, b nmTuple) int {
	if c := a.at.Compare(b.at); c != 0 {
		return c
	}
	if c := a.src.Compare(b.src); c != 0 {
		return c
	}
	if c := a.dst.Compare(b.dst); c != 0 {
		return c
	}
	if a.sport != b.sport {
		return int(a.sport) - int(b.sport)
	}
	if a.out != b.out {
		if a.out {
			return -1
		}
		return 1
	}
	return int(a.state) - int(b.state)
}
