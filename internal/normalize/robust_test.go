package normalize

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestMixedLinesKeepGoodRecords(t *testing.T) {
	t.Parallel()
	c, f, err := readAll(t, filepath.Join("testdata", "mixed.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if f != FormatMixed {
		t.Errorf("format = %q, want %q", f, FormatMixed)
	}
	var got []int
	for _, e := range c.events {
		got = append(got, e.Origin.Record)
	}
	if diff := cmp.Diff(got, []int{1, 2, 4, 7}); diff != "" {
		t.Errorf("event lines (-got, +want):\n%s", diff)
	}
	type rej struct {
		Rec    int
		Reason string
	}
	var rejs []rej
	for _, r := range c.rejections {
		rejs = append(rejs, rej{r.Record, r.Reason})
	}
	want := []rej{{3, "invalid-json"}, {6, "bad-type"}, {8, "missing-time"}, {9, "missing-principal"}}
	if diff := cmp.Diff(rejs, want); diff != "" {
		t.Errorf("rejections (-got, +want):\n%s", diff)
	}
	if d := c.rejections[1].Detail; !strings.Contains(d, "userAgent") {
		t.Errorf("bad-type detail %q does not name the field", d)
	}
}

// TestKeysStable checks that a record has the same Key whether it comes
// from a whole-file document, JSON lines or gzip.
func TestKeysStable(t *testing.T) {
	t.Parallel()
	doc, _, err := readAll(t, filepath.Join("testdata", "activity-eventhub.json"))
	if err != nil {
		t.Fatal(err)
	}
	lines, _, err := readAll(t, filepath.Join("testdata", "activity-capture.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "activity-eventhub.json"))
	if err != nil {
		t.Fatal(err)
	}
	zipped := &collector{}
	if _, err := Read("activity-eventhub.json", bytes.NewReader(gzipped(t, raw)), zipped); err != nil {
		t.Fatal(err)
	}
	keys := func(c *collector) (k []string) {
		for _, e := range c.events {
			k = append(k, e.Key)
		}
		return k
	}
	if len(keys(doc)) != 4 {
		t.Fatalf("got %d events, want 4", len(doc.events))
	}
	if diff := cmp.Diff(keys(lines), keys(doc)); diff != "" {
		t.Errorf("JSON lines keys (-got, +want):\n%s", diff)
	}
	if diff := cmp.Diff(keys(zipped), keys(doc)); diff != "" {
		t.Errorf("gzip keys (-got, +want):\n%s", diff)
	}
	if keys(doc)[0] == keys(doc)[1] {
		t.Error("Start and Success records of one operation share a key")
	}
}

func TestGzipIdenticalEvents(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"mixed.jsonl", "signin-diag.json", "la-signin.csv", "cloudtrail.json"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		plain, zipped := &collector{}, &collector{}
		f1, err1 := Read(name, bytes.NewReader(raw), plain)
		f2, err2 := Read(name, bytes.NewReader(gzipped(t, raw)), zipped)
		if err1 != nil || err2 != nil || f1 != f2 {
			t.Fatalf("%s: plain %q %v, gzip %q %v", name, f1, err1, f2, err2)
		}
		if diff := cmp.Diff(zipped, plain, cmp.AllowUnexported(collector{}), cmpopts.EquateComparable(netip.Addr{})); diff != "" {
			t.Errorf("%s: gzip (-got, +want):\n%s", name, diff)
		}
	}
}

func TestBrokenDocumentKeepsRecordsBeforeBreak(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("testdata", "activity-eventhub.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Cut the document in the middle of its third record.
	var doc struct{ Records []json.RawMessage }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	third := bytes.Index(raw, doc.Records[2][:40])
	c := &collector{}
	if _, err := Read("cut.json", bytes.NewReader(raw[:third+100]), c); err != nil {
		t.Fatal(err)
	}
	if len(c.events) != 2 || len(c.rejections) != 1 {
		t.Fatalf("got %d events, %d rejections, want 2 and 1", len(c.events), len(c.rejections))
	}
	r := c.rejections[0]
	if r.Record != 3 || r.Reason != "invalid-json" || !strings.Contains(r.Detail, "byte offset") {
		t.Errorf("rejection = %+v", r)
	}
}

func TestLineTooLong(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile(filepath.Join("testdata", "activity-capture.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := bytes.Cut(good, []byte("\n"))
	long := `{"time":"2024-03-11T09:00:00Z","pad":"` + strings.Repeat("x", maxLine+10) + `"}`
	in := string(first) + "\n" + long + "\n" + string(first) + "\n"
	c := &collector{}
	if _, err := Read("long.jsonl", strings.NewReader(in), c); err != nil {
		t.Fatal(err)
	}
	if len(c.events) != 2 || len(c.rejections) != 1 || c.rejections[0].Reason != "line-too-long" || c.rejections[0].Record != 2 {
		t.Errorf("got %d events, rejections %+v", len(c.events), c.rejections)
	}
}

func TestUnknownFormat(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"csv":       "IPAddress\r\n23.102.131.33\r\n",
		"nsg":       `{"records":[{"time":"2024-03-11T09:00:00Z","category":"NetworkSecurityGroupFlowEvent","operationName":"NetworkSecurityGroupFlowEvents","resourceId":"/SUBSCRIPTIONS/X","properties":{"Version":2}}]}`,
		"binary":    "\x00\x01\x02garbage",
		"badgzip":   "\x1f\x8b\x08garbage",
		"jsonlines": "{\"a\":1}\n{\"b\":2}\n",
	} {
		c := &collector{}
		if _, err := Read(name, strings.NewReader(in), c); err == nil || len(c.events) != 0 {
			t.Errorf("%s: err = %v, %d events; want an error", name, err, len(c.events))
		} else if name != "badgzip" && !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("%s: err = %v, want ErrUnknownFormat", name, err)
		}
	}
}

func TestRejectionError(t *testing.T) {
	t.Parallel()
	r := Rejection{Source: "a.jsonl", Record: 7, Reason: "bad-type", Detail: "field userAgent"}
	if got, want := r.Error(), "a.jsonl:7: bad-type: field userAgent"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
