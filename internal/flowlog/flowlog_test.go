package flowlog

import (
	"bytes"
	"compress/gzip"
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

// externalDir is ../../../shared/testdata-external from this package.
func externalDir(t testing.TB, sub string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata-external", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("external test data absent: %v", err)
	}
	return dir
}

type tally struct {
	recs     []flow.Record
	rejected []string
}

func (ta *tally) fn(r flow.Record) { ta.recs = append(ta.recs, r) }
func (ta *tally) rej(src string, n int, reason, detail string) {
	ta.rejected = append(ta.rejected, reason)
}

func (ta *tally) count(pred func(r *flow.Record) bool) int {
	n := 0
	for i := range ta.recs {
		if pred(&ta.recs[i]) {
			n++
		}
	}
	return n
}

func TestReadFileMicrosoftSamples(t *testing.T) {
	t.Parallel()
	dir := externalDir(t, "microsoft-docs-examples")
	deniedIn := func(r *flow.Record) bool { return r.Action == flow.ActionDeny && r.Direction == flow.DirectionIn }
	allowedOut := func(r *flow.Record) bool { return r.Action == flow.ActionAllow && r.Direction == flow.DirectionOut }
	tests := []struct {
		file       string
		format     string
		total      int
		deniedIn   int
		allowedOut int
	}{
		{"nsg-flow-log-v2.json", FormatNSGv2, 11, 7, 4},
		{"vnet-flow-log-v4.json", FormatVNetv4, 19, 9, 10},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			var ta tally
			format, err := ReadFile(filepath.Join(dir, tt.file), ta.fn, ta.rej)
			if err != nil {
				t.Fatal(err)
			}
			got := []any{format, len(ta.recs), ta.count(deniedIn), ta.count(allowedOut), len(ta.rejected)}
			want := []any{tt.format, tt.total, tt.deniedIn, tt.allowedOut, 0}
			if d := cmp.Diff(got, want); d != "" {
				t.Errorf("(-got +want)\n%s", d)
			}
		})
	}
}

func TestVNetSSHDenied(t *testing.T) {
	t.Parallel()
	dir := externalDir(t, "microsoft-docs-examples")
	var ta tally
	if _, err := ReadFile(filepath.Join(dir, "vnet-flow-log-v4.json"), ta.fn, ta.rej); err != nil {
		t.Fatal(err)
	}
	var found *flow.Record
	for i := range ta.recs {
		if ta.recs[i].Src == netip.MustParseAddr("101.33.218.153") {
			found = &ta.recs[i]
		}
	}
	if found == nil {
		t.Fatal("tuple from 101.33.218.153 not read")
	}
	want := flow.Record{
		Start: time.UnixMilli(1663145998065).UTC(), End: time.UnixMilli(1663145998065).UTC(),
		Src: netip.MustParseAddr("101.33.218.153"), Dst: netip.MustParseAddr("10.0.0.6"),
		SrcPort: 55188, DstPort: 22, Proto: flow.ProtoTCP, Action: flow.ActionDeny,
		State: flow.StateBegin, Direction: flow.DirectionIn, MAC: "00224871C205",
		Rule: found.Rule, Resource: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVNet",
		Source: "vnet-flow-log-v4.json", Index: found.Index,
	}
	if d := cmp.Diff(*found, want, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
		t.Errorf("(-got +want)\n%s", d)
	}
}

const nsgDoc = `{"records":[{"time":"2018-11-13T12:00:35Z","resourceId":"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG1",
"properties":{"Version":2,"flows":[{"rule":"R","flows":[{"mac":"000D3AF87856","flowTuples":[
"1542110379,10.5.16.4,203.0.113.115,44931,443,T,O,A,C,30,16978,24,14008",
"1542110379000,10.5.16.4,203.0.113.115,44931,443,T,O,A,E,1,2,3,4",
"1542110379,10.5.16.4,203.0.113.115,44931,443,X,O,A,C,30,16978,24,14008",
"1542110379,10.5.16.4,nope,44931,443,T,O,A,C,,,,",
"1542110379,10.5.16.4,203.0.113.115,99999,443,T,O,A,C,,,,",
"1542110379,10.5.16.4,203.0.113.115,1,443,T,O,A,Q,,,,",
"1542110379,10.5.16.4,203.0.113.115,1,443,T,O,A,B,,,,,,,,",
"short"]}]}]}},{"time":"x"}]}`

func TestReadRejects(t *testing.T) {
	t.Parallel()
	var ta tally
	format, err := Read(strings.NewReader(nsgDoc), "mem", ta.fn, ta.rej)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bad_proto", "bad_dst", "bad_port", "bad_state", "bad_tuple", "bad_tuple", "unknown_record"}
	if d := cmp.Diff(ta.rejected, want); d != "" {
		t.Errorf("rejections (-got +want)\n%s", d)
	}
	if format != FormatNSGv2 || len(ta.recs) != 2 {
		t.Fatalf("format %q, %d records", format, len(ta.recs))
	}
	if !ta.recs[0].End.Equal(ta.recs[1].End) {
		t.Errorf("seconds and milliseconds timestamps differ: %v vs %v", ta.recs[0].End, ta.recs[1].End)
	}
	if r := ta.recs[0]; r.Packets != 30 || r.Bytes != 16978 || r.RevPackets != 24 || r.RevBytes != 14008 {
		t.Errorf("counts: %+v", r)
	}
}

func TestReadGzip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(nsgDoc))
	zw.Close()
	path := filepath.Join(t.TempDir(), "PT1H.json.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var ta tally
	if _, err := ReadFile(path, ta.fn, nil); err != nil {
		t.Fatal(err)
	}
	if len(ta.recs) != 2 || ta.recs[0].Source != "PT1H.json.gz" {
		t.Fatalf("got %d records", len(ta.recs))
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{"not json": "{", "no records": `{"a":1}`, "bad gzip": "\x1f\x8bxx"} {
		if _, err := Read(strings.NewReader(in), name, func(flow.Record) {}, nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing"), func(flow.Record) {}, nil); err == nil {
		t.Error("missing file: no error")
	}
}

func FuzzFlowLog(f *testing.F) {
	f.Add([]byte(nsgDoc))
	f.Add([]byte(`{"records":[{"flowRecords":{"flows":[{"flowGroups":[{"rule":"r","flowTuples":["1663145998065,101.33.218.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0"]}]}]}}]}`))
	f.Add([]byte(vnetDoc(2, 3, map[int]string{1: "7", 2: `"\u0031"`}, `"macAddress":[]`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		_, _ = Read(bytes.NewReader(data), "fuzz", func(r flow.Record) {
			n++
			if !r.Src.IsValid() || !r.Dst.IsValid() || r.End.IsZero() {
				t.Fatalf("invalid record accepted: %+v", r)
			}
		}, nil)
	})
}
