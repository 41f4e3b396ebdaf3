package flowlog

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// vnetDoc is a VNet flow log of records records, each of tuples tuples,
// with tuple bad[i] of record 1 replaced by the JSON value bad[i].
func vnetDoc(records, tuples int, bad map[int]string, recordField string) string {
	var b strings.Builder
	b.WriteString(`{"records":[`)
	for r := range records {
		if r > 0 {
			b.WriteByte(',')
		}
		extra := ""
		if r == 1 && recordField != "" {
			extra = recordField + ","
		}
		fmt.Fprintf(&b, `{"time":"2026-10-01T00:00:00Z",%s"flowLogVersion":4,"macAddress":"000D3A000001","targetResourceID":"/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v","flowRecords":{"flows":[{"aclID":"a","flowGroups":[{"rule":"r","flowTuples":[`, extra)
		for t := range tuples {
			if t > 0 {
				b.WriteByte(',')
			}
			if v, ok := bad[t]; ok && r == 1 {
				b.WriteString(v)
				continue
			}
			fmt.Fprintf(&b, `"1790000000000,10.0.0.%d,203.0.113.9,%d,22,6,I,B,NX,,,,"`, r+1, 1024+t)
		}
		b.WriteString(`]}]}]}}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

// TestOneBadTupleCostsOneTuple: tuples of the wrong JSON type are rejected
// one by one; a record with a field of the wrong type is rejected alone;
// every other tuple is read.
func TestOneBadTupleCostsOneTuple(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		bad      map[int]string
		field    string
		recs     int
		rejected []string
	}{
		{"number", map[int]string{5: `12345`}, "", 3*1000 - 1, []string{"bad_tuple"}},
		{"object and null", map[int]string{0: `{"a":1}`, 999: `null`}, "", 3*1000 - 2, []string{"bad_tuple", "bad_tuple"}},
		{"escaped string", map[int]string{7: `"1790000000000,10.0.0.2,203.0.113.9,7\u0030,22,6,I,B,NX,,,,"`}, "", 3 * 1000, nil},
		{"record field", nil, `"macAddress":5`, 2 * 1000, []string{"bad_record"}},
		{"flows not an array", nil, `"flowRecords":{"flows":"x"},"x":1`, 2 * 1000, []string{"bad_record"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var ta tally
			format, err := Read(strings.NewReader(vnetDoc(3, 1000, tt.bad, tt.field)), "vnet.json", ta.fn, ta.rej)
			if err != nil {
				t.Fatal(err)
			}
			if format != FormatVNetv4 || len(ta.recs) != tt.recs {
				t.Errorf("format %s, %d tuples read, want %d", format, len(ta.recs), tt.recs)
			}
			if d := cmp.Diff(tt.rejected, ta.rejected); d != "" {
				t.Errorf("rejections (-want +got)\n%s", d)
			}
			for _, r := range ta.recs {
				if r.Packets != 0 || r.Bytes != 0 {
					t.Fatalf("empty counters read as %d packets, %d bytes", r.Packets, r.Bytes)
				}
			}
		})
	}
}

// TestSyntaxErrorKeepsRecordsBefore: a file cut in its third record keeps
// the first two and reports the error.
func TestSyntaxErrorKeepsRecordsBefore(t *testing.T) {
	t.Parallel()
	doc := vnetDoc(3, 10, nil, "")
	cut := strings.LastIndex(doc, `{"time"`) + 40
	var ta tally
	_, err := Read(strings.NewReader(doc[:cut]), "cut.json", ta.fn, ta.rej)
	if err == nil || len(ta.recs) != 20 {
		t.Fatalf("err %v, %d tuples (want the 20 before the cut)", err, len(ta.recs))
	}
}
