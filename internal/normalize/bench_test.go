package normalize

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/bytedance/sonic"
	gojson "github.com/goccy/go-json"
	segjson "github.com/segmentio/encoding/json"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/gen"
)

// decoders are the candidates measured by BenchmarkRawDecode and
// BenchmarkRead.
var decoders = []struct {
	name   string
	decode func([]byte, any) error
}{
	{"encoding-json", stdjson.Unmarshal},
	{"goccy", gojson.Unmarshal},
	{"segmentio", segjson.Unmarshal},
	{"sonic", sonicRecords.Unmarshal},
	{"sonic-nocopy", sonic.ConfigDefault.Unmarshal},
}

// sonicRecords is sonic set to copy strings, so that events do not pin
// their input lines.
var sonicRecords = sonic.Config{CopyString: true}.Froze()

var benchOnce = sync.OnceValues(func() ([]byte, int) { return benchLines(4000) })

// benchLines builds a realistic JSON-lines capture: three Entra sign-ins
// (about 1.5 KB each) for every ARM activity record, with varying IDs,
// users, addresses and times.
func benchLines(n int) ([]byte, int) {
	var signins struct{ Records []map[string]any }
	var arm struct{ Records []map[string]any }
	mustLoad(filepath.Join("testdata", "signin-diag.json"), &signins)
	mustLoad(filepath.Join("testdata", "activity-eventhub.json"), &arm)
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	for i := range n {
		when := fmt.Sprintf("2024-03-11T%02d:%02d:%02d.%07dZ", i/3600%24, i/60%60, i%60, rng.IntN(1e7))
		ip := fmt.Sprintf("%d.%d.%d.%d", 20+rng.IntN(180), rng.IntN(256), rng.IntN(256), 1+rng.IntN(254))
		var rec map[string]any
		if i%4 == 3 {
			rec = clone(arm.Records[i%2])
			rec["time"], rec["callerIpAddress"] = when, ip
		} else {
			rec = clone(signins.Records[i%2])
			p := rec["properties"].(map[string]any)
			p["id"] = fmt.Sprintf("8c1d2e3f-4a5b-4c6d-8e7f-%012x", i)
			p["createdDateTime"], p["ipAddress"] = when, ip
			p["userPrincipalName"] = fmt.Sprintf("user%04d@contoso.com", rng.IntN(5000))
			rec["time"], rec["callerIpAddress"] = when, ip
		}
		line, _ := stdjson.Marshal(rec)
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), n
}

func mustLoad(path string, v any) {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	if err := stdjson.Unmarshal(b, v); err != nil {
		panic(err)
	}
}

func clone(m map[string]any) map[string]any {
	b, _ := stdjson.Marshal(m)
	var c map[string]any
	_ = stdjson.Unmarshal(b, &c)
	return c
}

type countSink struct{ events, rejections int }

func (c *countSink) Event(*event.Event) { c.events++ }
func (c *countSink) Reject(Rejection)   { c.rejections++ }

// BenchmarkRead measures the whole pipeline (line splitting, decoding,
// classification, mapping, event allocation) with each decoder plugged in.
func BenchmarkRead(b *testing.B) {
	data, n := benchOnce()
	for _, d := range decoders {
		b.Run(d.name, func(b *testing.B) {
			defer swapDecoder(d.decode)()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				var s countSink
				if _, err := Read("bench.jsonl", bytes.NewReader(data), &s); err != nil || s.events != n {
					b.Fatalf("err %v, %d events, %d rejections", err, s.events, s.rejections)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkRawDecode decodes the same lines into the same struct, and
// nothing else: the ceiling BenchmarkRead is compared with.
func BenchmarkRawDecode(b *testing.B) {
	data, n := benchOnce()
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	for _, d := range decoders {
		b.Run(d.name, func(b *testing.B) {
			defer swapDecoder(d.decode)()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				for _, l := range lines {
					var r rawRecord
					if err := d.decode(l, &r); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// swapDecoder makes the flexible field types decode with d too.
func swapDecoder(d func([]byte, any) error) (restore func()) {
	old := decodeJSON
	decodeJSON = d
	return func() { decodeJSON = old }
}

// generatedOnce is a generated organisation's sign-ins and ARM activity
// (internal/gen), the records bench/activity_test.go measures: ARM
// diagnostic records without IDs, upper-case resource IDs and operation
// names, as real feeds have them.
var generatedOnce = sync.OnceValues(func() ([]byte, error) { return gen.ActivityLines(gen.BenchConfig()) })

// BenchmarkReadGenerated is Read on generated sign-ins and ARM activity,
// the normalize share of bench's activity path, for profiling here.
func BenchmarkReadGenerated(b *testing.B) {
	data, err := generatedOnce()
	if err != nil {
		b.Fatal(err)
	}
	n := bytes.Count(data, []byte("\n"))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var s countSink
		if _, err := Read("generated.jsonl", bytes.NewReader(data), &s); err != nil || s.events == 0 {
			b.Fatalf("err %v, %d events, %d rejections", err, s.events, s.rejections)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
