package normalize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/vedette/vedette/internal/event"
)

// sampleRecords splits the JSON test files into their records: the lines
// of JSON lines, the elements of a document's batch array.
func sampleRecords(t testing.TB, paths ...string) (recs [][]byte) {
	t.Helper()
	if len(paths) == 0 {
		paths, _ = filepath.Glob(filepath.Join("testdata", "*.json*"))
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Ext(p) == ".jsonl" {
			recs = append(recs, bytes.Split(bytes.TrimSpace(b), []byte("\n"))...)
			continue
		}
		i := skipSpace(b, 0)
		if b[i] == '{' {
			arr, err := envelopeArray(b, i)
			if err != nil || arr < 0 {
				recs = append(recs, b)
				continue
			}
			i = arr
		}
		eachElement(b, i, func(_ int, e []byte) bool { recs = append(recs, e); return true })
	}
	return recs
}

// checkSameDecode fails when the fast decoder accepts raw but decodes it
// otherwise than the full decoder.
func checkSameDecode(t *testing.T, d *fastDecoder, raw []byte) (fast bool) {
	t.Helper()
	var got, want rawRecord
	if !d.decode(raw, &got) {
		return false
	}
	if err := decodeJSON(raw, &want); err != nil {
		t.Fatalf("fast decoder accepted what the full decoder rejects (%v):\n%s", err, raw)
	}
	if reflect.DeepEqual(got, want) { // the quick answer, for tests that decode many records
		return true
	}
	if diff := cmp.Diff(got, want, cmp.AllowUnexported(rawRecord{}), cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("fast decode differs (-fast, +full):\n%s\nrecord:\n%s", diff, raw)
	}
	return true
}

func TestFastDecodeMatchesFull(t *testing.T) {
	d := newFastDecoder()
	fast := 0
	recs := sampleRecords(t)
	for _, raw := range recs {
		if checkSameDecode(t, d, raw) {
			fast++
		}
	}
	// The diagnostic-settings, REST, Graph and CloudTrail samples are the
	// shapes the fast decoder is for; mixed.jsonl holds the odd ones.
	if fast < len(recs)*3/4 {
		t.Errorf("fast decoder took %d of %d sample records", fast, len(recs))
	}
	for _, odd := range []string{
		`{"time":null,"category":"SignInLogs"}`,
		`{"Category":"SignInLogs","properties":{}}`,
		`{"time":"a","time":"b"}`,
		`{"properties":{"userAgent":5}}`,
		`{"time":"2024\u002d01"}`,
		`{"x":"` + "\x01" + `"}`,
		`{"x":01}`,
		`{"x":[1,2,}`,
		`{"a":1} x`,
		`{"identity":" {\"claims\":{\"upn\":\"a@b\"}}"}`,
		`{"status":{"errorCode":"50126","value":"x"},"location":"US"}`,
		`{"properties":{"status":{"errorCode":1.5}}}`,
		`{"properties":{"location":{"geoCoordinates":{"latitude":1e400}}}}`,
		`{"operationName":{"value":"Microsoft.Resources/deployments/write"}}`,
		`{"records":[{"time":"x"}]}`,
		`{"userAgent":"caf\xc3\xa9","city":"\xff"}`,
	} {
		checkSameDecode(t, d, []byte(odd))
	}
}

// FuzzFastDecode checks that whatever the fast decoder accepts, the full
// decoder decodes to the same record.
func FuzzFastDecode(f *testing.F) {
	for _, r := range sampleRecords(f) {
		f.Add(r)
	}
	f.Add([]byte(`{"properties":{"isInteractive":true,"status":{"errorCode":0},"location":{"city":"Z\u00fcrich"}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkSameDecode(t, newFastDecoder(), raw)
	})
}

// TestEventsOwnTheirBytes checks that events keep nothing of the record's
// bytes, which the reader reuses for the next record.
func TestEventsOwnTheirBytes(t *testing.T) {
	recs := sampleRecords(t)
	want, got := &collector{}, &collector{}
	wantRd, gotRd := newReader("s", want), newReader("s", got)
	for i, raw := range recs {
		if err := wantRd.record(bytes.Clone(raw), i+1); err != nil {
			t.Fatal(err)
		}
		buf := bytes.Clone(raw)
		if err := gotRd.record(buf, i+1); err != nil {
			t.Fatal(err)
		}
		for j := range buf {
			buf[j] = 'X'
		}
	}
	if len(want.events) < len(recs)/2 {
		t.Fatalf("only %d events from %d records", len(want.events), len(recs))
	}
	if diff := cmp.Diff(got.events, want.events, cmpopts.EquateComparable(event.Event{}.SourceIP)); diff != "" {
		t.Errorf("events changed with their input (-got, +want):\n%s", diff)
	}
}

// TestFastDecodeShapeHits decodes records whose keys are near misses of
// the keys a warmed decoder expects at each position: a key is only taken
// from the shape cache when the record holds exactly it.
func TestFastDecodeShapeHits(t *testing.T) {
	d := newFastDecoder()
	const warm = `{"time":"2024-01-01T00:00:00Z","category":"SignInLogs","properties":{"userPrincipalName":"a@b","createdDateTime":"x","location":{"city":"Z"}}}`
	for _, raw := range []string{
		warm,
		`{"timeX":"t","category":"SignInLogs"}`,
		`{"tim":"t","category":"SignInLogs"}`,
		`{"time\u0058":"t"}`,
		`{"Time":"t"}`,
		`{"time":"t","category":"SignInLogs","properties":{"userPrincipalNam":"a"}}`,
		`{"time":"t","category":"SignInLogs","properties":{"userPrincipalNameX":"a"}}`,
		`{"time":"t","category":"SignInLogs","properties":{"userPrincipalName":"a","createdDateTime`,
		`{"time":"t","category":"SignInLogs","properties":{"userPrincipalName":"a","createdDateTime":"x","location":{"cit":"Z"}}}`,
		`{"time`,
		`{"t`,
		warm,
	} {
		checkSameDecode(t, d, []byte(raw))
	}
	var r rawRecord
	if !d.decode([]byte(warm), &r) || r.Properties == nil || r.Properties.UserPrincipalName != "a@b" {
		t.Errorf("warm record decoded as %+v", r)
	}
}

// FuzzFastDecodeWarm is FuzzFastDecode for a decoder that has decoded
// records before, as a reader's has: its shape cache learnt from the
// sample records and then from the input itself, so that the fuzzer's
// mutations of real records meet the paths that trust remembered shapes
// (plainMembers).
func FuzzFastDecodeWarm(f *testing.F) {
	recs := sampleRecords(f)
	for _, r := range recs {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		d := newFastDecoder()
		for _, r := range recs {
			d.decode(r, &rawRecord{})
		}
		checkSameDecode(t, d, raw)
		checkSameDecode(t, d, raw)
	})
}

// TestFastDecodeWarmMutations decodes a record of each sample file, made
// compact as feeds write them, with a decoder warmed on it, then the
// record with one byte replaced, at every offset, by bytes that end or
// break a plain member: whatever the warm decoder accepts must decode as
// the full decoder decodes it.
func TestFastDecodeWarmMutations(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.json*"))
	accepted := 0
	for _, p := range paths {
		recs := sampleRecords(t, p)
		var buf bytes.Buffer
		if err := json.Compact(&buf, recs[len(recs)-1]); err != nil {
			t.Fatal(err)
		}
		orig := buf.Bytes()
		d := newFastDecoder()
		raw := bytes.Clone(orig)
		for j := range raw {
			for _, c := range []byte{'"', '\\', 0x01, 0xc3, ' ', '{', '}', '0', '.', 'e', '-'} {
				if raw[j] == c {
					continue
				}
				d.decode(orig, &rawRecord{})
				raw[j] = c
				if checkSameDecode(t, d, raw) {
					accepted++
				}
				raw[j] = orig[j]
			}
		}
	}
	if accepted == 0 {
		t.Error("the warm decoder accepted no mutated record")
	}
}

// TestShapeMemoryBounded: a hostile record whose object has many members
// (here 20,000 unknown keys, each at its own position) leaves at most
// maxShapeKeys remembered positions behind in the decoder, which lives as
// long as its reader; the record still decodes as the full decoder does.
func TestShapeMemoryBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"time":"2024-01-01T00:00:00Z","category":"SignInLogs","properties":{`)
	for i := range 20000 {
		fmt.Fprintf(&b, `"k%d":"v",`, i)
	}
	b.WriteString(`"userPrincipalName":"a@b"}}`)
	d := newFastDecoder()
	checkSameDecode(t, d, []byte(b.String()))
	checkSameDecode(t, d, []byte(b.String()))
	for id, sh := range d.shapes {
		if len(sh) > maxShapeKeys {
			t.Errorf("object type %d: %d key positions remembered, at most %d", id, len(sh), maxShapeKeys)
		}
	}
}
