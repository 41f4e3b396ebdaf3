package flowsource

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/flow"
)

var exp = netip.MustParseAddrPort("192.0.2.10:50000")

func read(t testing.TB, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newDecoder() *Decoder { return NewDecoder(DefaultConfig()) }

// TestTemplateThenData decodes real exporter packets (Apache-2.0 copies in
// testdata/logstash): data files decode only after their template file.
func TestTemplateThenData(t *testing.T) {
	t.Parallel()
	dir := "testdata/logstash"
	tests := []struct {
		tpl, data string
		minFlows  int
	}{
		{"ipfix_test_mikrotik_tpl.dat", "ipfix_test_mikrotik_data258.dat", 1},
		{"netflow9_test_cisco_asa_1_tpl.dat", "netflow9_test_cisco_asa_1_data.dat", 1},
		{"ipfix_test_openbsd_pflow_tpl.dat", "ipfix_test_openbsd_pflow_data.dat", 1},
	}
	for _, tt := range tests {
		t.Run(tt.data, func(t *testing.T) {
			t.Parallel()
			d := newDecoder()
			recs, _ := d.Decode(exp, read(t, dir, tt.data), nil)
			if len(recs) != 0 || d.Counters().UnknownTemplate == 0 {
				t.Fatalf("data before template: %d records, %+v", len(recs), d.Counters())
			}
			d.Decode(exp, read(t, dir, tt.tpl), nil)
			recs, err := d.Decode(exp, read(t, dir, tt.data), nil)
			if err != nil || len(recs) < tt.minFlows {
				t.Fatalf("after template: %d records, err %v", len(recs), err)
			}
			for _, r := range recs {
				if !r.Src.IsValid() || !r.Dst.IsValid() || r.End.IsZero() || r.Source != "udp:192.0.2.10" {
					t.Errorf("incomplete record %+v", r)
				}
			}
			// Another exporter does not share templates.
			other, _ := d.Decode(netip.MustParseAddrPort("192.0.2.11:50000"), read(t, dir, tt.data), nil)
			if len(other) != 0 {
				t.Error("templates leaked across exporters")
			}
		})
	}
}

func TestNetFlowV5(t *testing.T) {
	t.Parallel()
	recs, err := newDecoder().Decode(exp, read(t, "testdata/logstash", "netflow5.dat"), nil)
	if err != nil || len(recs) == 0 {
		t.Fatalf("%d records, err %v", len(recs), err)
	}
	r := recs[0]
	// Upstream netflow_spec.rb: first v5 record is 10.0.2.2:54435 -> 10.0.2.15:22, tcp.
	got := []any{r.Src.String(), r.SrcPort, r.Dst.String(), r.DstPort, r.Proto}
	want := []any{"10.0.2.2", uint16(54435), "10.0.2.15", uint16(22), uint8(6)}
	if d := cmp.Diff(got, want); d != "" {
		t.Errorf("(-got +want)\n%s", d)
	}
}

func externalDir(t testing.TB, sub string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata-external", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("external test data absent: %v", err)
	}
	return dir
}

// TestEveryDat feeds every upstream .dat file, templates first, through
// one decoder per file pair: none may panic, the invalid ones must fail.
func TestEveryDat(t *testing.T) {
	t.Parallel()
	dir := externalDir(t, "logstash-codec-netflow")
	ents, _ := os.ReadDir(dir)
	d := newDecoder()
	total := 0
	for _, pass := range []string{"tpl", "data"} {
		for _, e := range ents {
			name := e.Name()
			if !strings.HasSuffix(name, ".dat") || strings.Contains(name, "tpl") != (pass == "tpl") {
				continue
			}
			recs, err := d.Decode(exp, read(t, dir, name), nil)
			total += len(recs)
			if strings.Contains(name, "invalid") && err == nil && len(recs) > 0 {
				t.Errorf("%s: invalid file decoded to %d records", name, len(recs))
			}
		}
	}
	c := d.Counters()
	if total < 100 || c.Flows != uint64(total) {
		t.Errorf("decoded %d flows, counters %+v", total, c)
	}
	t.Logf("%d flows, counters %+v", total, c)
}

func TestHostileInput(t *testing.T) {
	t.Parallel()
	// IPFIX template set: template 256 with one zero-length field.
	zeroTpl := []byte{0, 10, 0, 28, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 12, 1, 0, 0, 1, 0, 8, 0, 0}
	dataFor256 := []byte{0, 10, 0, 24, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0, 0, 8, 1, 2, 3, 4}
	// Template 257 with one 4-byte field, then its withdrawal.
	tpl257 := []byte{0, 10, 0, 28, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 12, 1, 1, 0, 1, 0, 8, 0, 4}
	withdraw := []byte{0, 10, 0, 24, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 8, 1, 1, 0, 0}
	data257 := []byte{0, 10, 0, 24, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 1, 0, 8, 10, 0, 0, 1}
	d := newDecoder()
	steps := []struct {
		pkt   []byte
		flows int
	}{
		{nil, 0}, {[]byte{0}, 0}, {[]byte{0, 7, 1, 2}, 0}, // short and bad version
		{[]byte{0, 5, 0, 30, 1, 2, 3}, 0}, // v5 claiming 30 records
		{zeroTpl, 0}, {dataFor256, 0},     // zero-size template rejected, data unknown
		{tpl257, 0}, {data257, 1}, {withdraw, 0}, {data257, 0},
		{[]byte{0, 10, 0, 20, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0}, 0},                 // zero-length set
		{[]byte{0, 9, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0xff, 0xff}, 0}, // set longer than packet
	}
	for i, s := range steps {
		recs, _ := d.Decode(exp, s.pkt, nil)
		if len(recs) != s.flows {
			t.Errorf("step %d: %d flows, want %d", i, len(recs), s.flows)
		}
	}
	c := d.Counters()
	if c.TemplateRejected != 1 || c.Withdrawn != 1 || c.BadVersion != 1 || c.Truncated < 2 || c.UnknownTemplate < 2 {
		t.Errorf("counters %+v", c)
	}
	// Exporter cap.
	cfg := DefaultConfig()
	cfg.MaxExporters = 2
	capped := NewDecoder(cfg)
	for i := range 5 {
		capped.Decode(netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), 9), tpl257, nil)
	}
	// Templates alone do not prove an exporter: newcomers evict the
	// oldest that never produced a flow.
	if c := capped.Counters(); c.Dropped != 0 || c.Evicted != 3 || c.Exporters != 2 {
		t.Errorf("exporter cap: %+v", c)
	}
}

func TestSamplingOverride(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.Sampling = map[netip.Addr]uint32{exp.Addr(): 100}
	recs, _ := NewDecoder(cfg).Decode(exp, read(t, "testdata/logstash", "netflow5.dat"), nil)
	if len(recs) == 0 || recs[0].SamplingRate != 100 || recs[0].Scale() != 100 {
		t.Fatalf("records %v", len(recs))
	}
}

func TestCollectorLoopback(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.Listen = []string{"127.0.0.1:0"}
	got := make(chan int, 10)
	c, err := New(cfg, Deps{Consumer: func(rs []flow.Record) { got <- len(rs) }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(c.LocalAddrs()[0]))
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte{0, 7})
	conn.Write(read(t, "testdata/logstash", "netflow5.dat"))
	select {
	case n := <-got:
		if n == 0 {
			t.Error("empty batch")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no records")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c := c.Counters(); c.Packets != 2 || c.BadVersion != 1 {
		t.Errorf("counters %+v", c)
	}
}

func FuzzDecode(f *testing.F) {
	ents, _ := os.ReadDir("testdata/logstash")
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".dat") {
			b, _ := os.ReadFile(filepath.Join("testdata/logstash", e.Name()))
			f.Add(b)
		}
	}
	for _, c := range fuzzTemplatedSeeds() {
		f.Add(append(c[0], c[1]...))
		f.Add(c[1])
	}
	tpl, _ := os.ReadFile("testdata/logstash/ipfix_test_mikrotik_tpl.dat")
	f.Fuzz(func(t *testing.T, data []byte) {
		d := newDecoder()
		d.Decode(exp, tpl, nil)
		recs, _ := d.Decode(exp, data, nil)
		recs2, _ := d.Decode(exp, data, recs)
		if len(recs2) < len(recs) {
			t.Fatal("records lost")
		}
		if c := d.Counters(); c.Flows != uint64(len(recs2)) && c.Malformed == 0 {
			t.Fatalf("flow counter %d vs %d", c.Flows, len(recs2))
		}
	})
}
