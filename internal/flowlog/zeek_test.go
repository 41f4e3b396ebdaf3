package flowlog

import (
	"bytes"
	"compress/gzip"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/flow"
)

// zeekConnJSON is a conn.log in Zeek's JSON writer (documentation
// addresses): an established ssh session, a SYN scan of an open port
// (RSTO/ShR), a rejected and an unanswered RDP probe, a DNS query with ISO
// 8601 ts, then four bad lines.
const zeekConnJSON = `{"ts":1664462460.5,"uid":"C1","id.orig_h":"192.0.2.11","id.orig_p":40000,"id.resp_h":"198.51.100.7","id.resp_p":22,"proto":"tcp","service":"ssh","duration":2.25,"orig_bytes":2500,"resp_bytes":3100,"conn_state":"SF","local_orig":true,"local_resp":false,"missed_bytes":0,"history":"ShADadFf","orig_pkts":20,"orig_ip_bytes":3540,"resp_pkts":18,"resp_ip_bytes":4036}
{"ts":1664462461.000001,"uid":"C2","id.orig_h":"192.0.2.11","id.orig_p":40001,"id.resp_h":"198.51.100.8","id.resp_p":22,"proto":"tcp","conn_state":"RSTO","local_orig":true,"local_resp":true,"history":"ShR","orig_pkts":2,"orig_ip_bytes":84,"resp_pkts":1,"resp_ip_bytes":44}
{"ts":1664462462,"uid":"C3","id.orig_h":"192.0.2.11","id.orig_p":40002,"id.resp_h":"198.51.100.9","id.resp_p":3389,"proto":"tcp","conn_state":"REJ","history":"Sr","orig_pkts":1,"orig_ip_bytes":44,"resp_pkts":1,"resp_ip_bytes":40}
{"ts":1664462463.25,"uid":"C4","id.orig_h":"203.0.113.5","id.orig_p":40003,"id.resp_h":"192.0.2.11","id.resp_p":3389,"proto":"tcp","conn_state":"S0","local_orig":false,"local_resp":true,"history":"S","orig_pkts":1,"orig_ip_bytes":44,"resp_pkts":0,"resp_ip_bytes":0}
{"ts":"2022-09-29T14:41:04.5Z","uid":"C5","id.orig_h":"2001:db8::1","id.orig_p":53000,"id.resp_h":"2001:db8::53","id.resp_p":53,"proto":"udp","duration":0.01,"orig_bytes":40,"resp_bytes":111,"conn_state":"SF","orig_pkts":1,"resp_pkts":1}
{"ts":1664462464,"id.orig_h":"192.0.2.11","id.orig_p":1,"id.resp_h":"not-an-ip","id.resp_p":2,"proto":"tcp","conn_state":"S0"}
{"ts":1664462464,"id.orig_h":"192.0.2.11","id.orig_p":1,"id.resp_h":"192.0.2.12","id.resp_p":2,"proto":"unknown_transport","conn_state":"OTH"}
{"ts":1664462464,"id.orig_h":"192.0.2.11","id.orig_p":"x"}
{"id.orig_h":"192.0.2.11","id.orig_p":1,"id.resp_h":"192.0.2.12","id.resp_p":2,"proto":"tcp"}
`

// zeekSSHTSV is an ssh.log in Zeek's default TSV writer: a successful and
// a failed login over IPv6, one without an outcome, then a line with a
// missing column and one whose auth_success is not a bool.
const zeekSSHTSV = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tssh\n#open\t2020-12-11-11-53-14\n" +
	"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tversion\tauth_success\tauth_attempts\tdirection\tclient\tserver\n" +
	"#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tbool\tcount\tenum\tstring\tstring\n" +
	"1595853856.990735\tC1\t2001:db8::1ce\t50978\t2001:db8::31f8\t902\t2\tT\t1\t-\tSSH-2.0-OpenSSH_7.2p2\tSSH-2.0-OpenSSH_7.9p1\n" +
	"1595853891.472776\tC2\t2001:db8::1ce\t50980\t2001:db8::31f8\t902\t2\tF\t2\tINBOUND\tSSH-2.0-OpenSSH_7.2p2\tSSH-2.0-OpenSSH_7.9p1\n" +
	"1595853895.000000\tC3\t2001:db8::1ce\t50981\t2001:db8::31f8\t902\t-\t-\t0\tINBOUND\t-\tSSH-2.0-OpenSSH_7.9p1\n" +
	"1595853900.000000\tC4\t2001:db8::1ce\t50982\n" +
	"1595853901.000000\tC5\t2001:db8::1ce\t50983\t2001:db8::31f8\t902\t2\tyes\t1\tINBOUND\t-\t-\n" +
	"#close\t2020-12-11-11-53-14\n"

func ts(sec, ns int64) time.Time { return time.Unix(sec, ns).UTC() }

func TestReadZeekConnJSON(t *testing.T) {
	t.Parallel()
	var ta tally
	format, err := Read(strings.NewReader(zeekConnJSON), "conn.log", ta.fn, ta.rej)
	if err != nil || format != FormatZeekConn {
		t.Fatalf("format %q, err %v", format, err)
	}
	a := netip.MustParseAddr
	rec := func(start, end time.Time, src, dst string, sp, dp uint16, proto, flags uint8, dir flow.Direction, p, b, rp, rb uint64, idx int) flow.Record {
		return flow.Record{Start: start, End: end, Src: a(src), Dst: a(dst), SrcPort: sp, DstPort: dp, Proto: proto,
			TCPFlags: flags, Direction: dir, Packets: p, Bytes: b, RevPackets: rp, RevBytes: rb, Source: "conn.log", Index: idx}
	}
	const syn, ack, fin, rst = flow.TCPSyn, flow.TCPAck, flow.TCPFin, flow.TCPRst
	want := []flow.Record{
		rec(ts(1664462460, 5e8), ts(1664462462, 75e7), "192.0.2.11", "198.51.100.7", 40000, 22, 6, syn|ack|fin, flow.DirectionOut, 20, 3540, 18, 4036, 1),
		rec(ts(1664462461, 1000), ts(1664462461, 1000), "192.0.2.11", "198.51.100.8", 40001, 22, 6, syn|ack|rst, flow.DirectionUnknown, 2, 84, 1, 44, 2),
		rec(ts(1664462462, 0), ts(1664462462, 0), "192.0.2.11", "198.51.100.9", 40002, 3389, 6, syn|rst, flow.DirectionUnknown, 1, 44, 1, 40, 3),
		rec(ts(1664462463, 25e7), ts(1664462463, 25e7), "203.0.113.5", "192.0.2.11", 40003, 3389, 6, syn, flow.DirectionIn, 1, 44, 0, 0, 4),
		// No orig_ip_bytes: the payload counts stand in.
		rec(ts(1664462464, 5e8), ts(1664462464, 51e7), "2001:db8::1", "2001:db8::53", 53000, 53, 17, 0, flow.DirectionUnknown, 1, 40, 1, 111, 5),
	}
	if d := cmp.Diff(ta.recs, want, cmp.Comparer(func(x, y netip.Addr) bool { return x == y })); d != "" {
		t.Errorf("records (-got +want)\n%s", d)
	}
	if d := cmp.Diff(ta.rejected, []string{"bad_dst", "bad_proto", "bad_json", "bad_time"}); d != "" {
		t.Errorf("rejections (-got +want)\n%s", d)
	}
}

func TestReadZeekSSHTSV(t *testing.T) {
	t.Parallel()
	var ta tally
	format, err := Read(strings.NewReader(zeekSSHTSV), "ssh.log", ta.fn, ta.rej)
	if err != nil || format != FormatZeekSSH {
		t.Fatalf("format %q, err %v", format, err)
	}
	if len(ta.recs) != 3 || !cmp.Equal(ta.rejected, []string{"bad_fields", "bad_auth"}) {
		t.Fatalf("%d records, rejected %v", len(ta.recs), ta.rejected)
	}
	// Each entry is one attempt: tcp, handshake done, no counts.
	want := flow.Record{
		Start: ts(1595853856, 990735000), End: ts(1595853856, 990735000),
		Src: netip.MustParseAddr("2001:db8::1ce"), Dst: netip.MustParseAddr("2001:db8::31f8"), SrcPort: 50978, DstPort: 902,
		Proto: flow.ProtoTCP, TCPFlags: flow.TCPSyn | flow.TCPAck, Auth: flow.AuthSuccess, Source: "ssh.log", Index: 9,
	}
	if d := cmp.Diff(ta.recs[0], want, cmp.Comparer(func(x, y netip.Addr) bool { return x == y })); d != "" {
		t.Errorf("(-got +want)\n%s", d)
	}
	if ta.recs[1].Direction != flow.DirectionIn {
		t.Errorf("direction INBOUND read as %v", ta.recs[1].Direction)
	}
	if ta.recs[1].Auth != flow.AuthFailure || ta.recs[2].Auth != flow.AuthUnknown {
		t.Errorf("auth_success F, - read as %v, %v", ta.recs[1].Auth, ta.recs[2].Auth)
	}
}

// TestReadZeekSSHAuthJSON: auth_success true, false and absent in the JSON
// writer; conn.log records never carry an outcome.
func TestReadZeekSSHAuthJSON(t *testing.T) {
	t.Parallel()
	const log = `{"ts":1599755507.468005,"id.orig_h":"198.51.100.5","id.orig_p":32140,"id.resp_h":"192.0.2.194","id.resp_p":22,"auth_success":true,"auth_attempts":1,"direction":"INBOUND"}
{"ts":1599755508.5,"id.orig_h":"198.51.100.5","id.orig_p":32141,"id.resp_h":"192.0.2.194","id.resp_p":22,"auth_success":false,"auth_attempts":3,"direction":"INBOUND"}
{"ts":1599755509.5,"id.orig_h":"198.51.100.6","id.orig_p":32142,"id.resp_h":"192.0.2.194","id.resp_p":22,"auth_attempts":0,"direction":"INBOUND"}
`
	var ta tally
	if format, err := Read(strings.NewReader(log), "ssh.log", ta.fn, ta.rej); err != nil || format != FormatZeekSSH {
		t.Fatalf("format %q, err %v", format, err)
	}
	var got []flow.Auth
	for _, r := range ta.recs {
		got = append(got, r.Auth)
	}
	if d := cmp.Diff(got, []flow.Auth{flow.AuthSuccess, flow.AuthFailure, flow.AuthUnknown}); d != "" || len(ta.rejected) != 0 {
		t.Errorf("auth (-got +want)\n%s; rejected %v", d, ta.rejected)
	}
	var conn tally
	if _, err := Read(strings.NewReader(zeekConnJSON), "conn.log", conn.fn, conn.rej); err != nil {
		t.Fatal(err)
	}
	if n := conn.count(func(r *flow.Record) bool { return r.Auth != flow.AuthUnknown }); n != 0 {
		t.Errorf("%d conn.log records with an auth outcome", n)
	}
}

func TestZeekKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, head, want string
	}{
		{"conn json", zeekConnJSON, FormatZeekConn},
		{"ssh tsv", zeekSSHTSV, FormatZeekSSH},
		{"ssh json", `{"ts":1,"id.orig_h":"192.0.2.1","auth_attempts":0}`, FormatZeekSSH},
		{"conn tsv", "#separator \\x09\n#path\tconn\n#fields\tts\n", FormatZeekConn},
		{"dns tsv", "#separator \\x09\n#path\tdns\n", ""},
		{"dns json", `{"ts":1,"id.orig_h":"192.0.2.1","proto":"udp","query":"example.com"}`, ""},
		{"notice json", `{"ts":1,"id.orig_h":"192.0.2.1","proto":"tcp","note":"SSH::Password_Guessing"}`, ""},
		{"azure", `{"records":[{"id.orig_h":"x","conn_state":"S0"}]}`, ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		if got := zeekKind([]byte(tt.head)); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestZeekFilesRouted: gzip and plain Zeek logs are flow logs for
// IsFlowLog and ReadFile, as `vedette detect` routes them.
func TestZeekFilesRouted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(zeekConnJSON))
	zw.Close()
	files := map[string][]byte{"conn.log.gz": gz.Bytes(), "ssh.log": []byte(zeekSSHTSV)}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if ok, err := IsFlowLog(path); !ok || err != nil {
			t.Errorf("IsFlowLog(%s) = %v, %v", name, ok, err)
		}
		var ta tally
		if _, err := ReadFile(path, ta.fn, ta.rej); err != nil || len(ta.recs) < 2 || ta.recs[0].Source != name {
			t.Errorf("ReadFile(%s): %d records, err %v", name, len(ta.recs), err)
		}
	}
}

func TestReadZeekLongLine(t *testing.T) {
	t.Parallel()
	long := zeekConnJSON + `{"ts":1,"pad":"` + strings.Repeat("x", maxZeekLine) + "\"}\n"
	var ta tally
	if _, err := Read(strings.NewReader(long), "conn.log", ta.fn, ta.rej); err == nil {
		t.Error("line over maxZeekLine: no error")
	}
	if len(ta.recs) != 5 {
		t.Errorf("records before the long line: %d, want 5", len(ta.recs))
	}
}

// TestReadZeekStratosphere reads the Stratosphere captures (GPL, read in
// place): every line of each is a record, none is rejected.
func TestReadZeekStratosphere(t *testing.T) {
	t.Parallel()
	dir := externalDir(t, "stratosphere")
	tests := []struct {
		file, format string
		records      int
		check        func(t *testing.T, ta *tally)
	}{
		{"007-zeek-scenario-ssh-infected/ssh.log.gz", FormatZeekSSH, 8528, func(t *testing.T, ta *tally) {
			from := ta.count(func(r *flow.Record) bool { return r.Src == netip.MustParseAddr("194.88.107.165") })
			in := ta.count(func(r *flow.Record) bool { return r.Direction == flow.DirectionIn && r.DstPort == 22 })
			if from != 1371 || in != 8528 {
				t.Errorf("from 194.88.107.165: %d (want 1371); inbound to :22: %d", from, in)
			}
			ok := ta.count(func(r *flow.Record) bool { return r.Auth == flow.AuthSuccess })
			failed := ta.count(func(r *flow.Record) bool { return r.Auth == flow.AuthFailure })
			if ok != 3200 || failed != 548 {
				t.Errorf("auth_success true %d (want 3200), false %d (want 548)", ok, failed)
			}
		}},
		{"002-zeek-scenario-port-scanning/conn.log.gz", FormatZeekConn, 4504, func(t *testing.T, ta *tally) {
			ssh := ta.count(func(r *flow.Record) bool { return r.DstPort == 22 && r.Proto == flow.ProtoTCP })
			rdp := ta.count(func(r *flow.Record) bool { return r.DstPort == 3389 && r.Proto == flow.ProtoTCP })
			if ssh != 40 || rdp != 36 {
				t.Errorf("tcp/22 %d (want 40), tcp/3389 %d (want 36)", ssh, rdp)
			}
		}},
		{"006-zeek-scenario-ssh/conn.log", FormatZeekConn, 18, func(t *testing.T, ta *tally) {
			if n := ta.count(func(r *flow.Record) bool { return r.Proto == protoICMPv6 }); n != 6 {
				t.Errorf("icmpv6 records: %d, want 6", n)
			}
		}},
		{"006-zeek-scenario-ssh/ssh.log", FormatZeekSSH, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, tt.file)
			if ok, err := IsFlowLog(path); !ok || err != nil {
				t.Errorf("IsFlowLog = %v, %v", ok, err)
			}
			var ta tally
			format, err := ReadFile(path, ta.fn, ta.rej)
			if err != nil || format != tt.format || len(ta.recs) != tt.records || len(ta.rejected) != 0 {
				t.Fatalf("format %q, %d records, rejected %v, err %v", format, len(ta.recs), ta.rejected, err)
			}
			if tt.check != nil {
				tt.check(t, &ta)
			}
		})
	}
	if ok, _ := IsFlowLog(filepath.Join(dir, "007-zeek-scenario-ssh-infected/notice.log")); ok {
		t.Error("notice.log routed as a flow log")
	}
}

func BenchmarkReadZeekConnJSON(b *testing.B) {
	data := []byte(strings.Repeat(zeekConnJSON[:strings.Index(zeekConnJSON, "\n")+1], 1000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(data), "bench", func(flow.Record) {}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzZeek(f *testing.F) {
	f.Add([]byte(zeekConnJSON))
	f.Add([]byte(zeekSSHTSV))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Read(bytes.NewReader(data), "fuzz", func(r flow.Record) {
			if !r.Src.IsValid() || !r.Dst.IsValid() || r.End.IsZero() || r.End.Before(r.Start) {
				t.Fatalf("invalid record accepted: %+v", r)
			}
		}, nil)
	})
}

// TestReadZeekNaNDuration: Zeek's TSV writer can print a duration as "nan"
// (strconv reads it). A NaN fails every comparison, so a range check of
// the form "d < 0 || d > max" lets it through and the end time becomes
// Start minus 292 years; it must be a bad_duration like an out-of-range one.
func TestReadZeekNaNDuration(t *testing.T) {
	t.Parallel()
	const head = "#separator \\x09\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\tconn_state\n"
	log := head +
		"1664462460.5\tC1\t192.0.2.11\t40000\t198.51.100.7\t22\ttcp\t2.25\tSF\n" +
		"1664462461.5\tC2\t192.0.2.11\t40001\t198.51.100.7\t22\ttcp\tnan\tSF\n" +
		"1664462462.5\tC3\t192.0.2.11\t40002\t198.51.100.7\t22\ttcp\t-1\tSF\n"
	var ta tally
	if _, err := Read(strings.NewReader(log), "conn.log", ta.fn, ta.rej); err != nil {
		t.Fatal(err)
	}
	if len(ta.recs) != 1 || !ta.recs[0].End.Equal(ts(1664462462, 75e7)) {
		t.Errorf("records %+v, want the first only, ending 2.25 s after it starts", ta.recs)
	}
	if d := cmp.Diff(ta.rejected, []string{"bad_duration", "bad_duration"}); d != "" {
		t.Errorf("rejections (-got +want)\n%s", d)
	}
}
