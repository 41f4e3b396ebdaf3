// Package bench measures Vedette's hot paths against references measured in
// the same run, so figures are ratios that survive a noisy machine. See
// bench/README.md.
package bench

import (
	"bytes"
	stdjson "encoding/json"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/bytedance/sonic"
	gojson "github.com/goccy/go-json"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/enrich/asn"
	"github.com/vedette/vedette/internal/enrich/geoip"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/gen"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/pipeline"
	"github.com/vedette/vedette/internal/runner"
)

// month is a generated organisation's sign-ins, then its ARM activity, as
// JSON lines: each part homogeneous, as per-category exports and Event Hubs
// deliver them. VEDETTE_BENCH_LINES names a file of JSON lines to read
// instead, so that two builds (whose generators differ) can be timed on
// the same records; VEDETTE_BENCH_DUMP writes the generated month there.
var month = sync.OnceValues(func() ([]byte, error) {
	if path := os.Getenv("VEDETTE_BENCH_LINES"); path != "" {
		return os.ReadFile(path)
	}
	data, err := gen.ActivityLines(gen.BenchConfig())
	if path := os.Getenv("VEDETTE_BENCH_DUMP"); err == nil && path != "" {
		err = os.WriteFile(path, data, 0o644)
	}
	return data, err
})

func load(b *testing.B) ([]byte, [][]byte) {
	b.Helper()
	data, err := month()
	if err != nil {
		b.Fatal(err)
	}
	// The embedded AS table is decoded once per process (at start in
	// `detect` and `serve`): not a cost of the records measured here.
	if _, err := asn.Builtin(); err != nil {
		b.Fatal(err)
	}
	return data, bytes.SplitAfter(bytes.TrimSpace(data), []byte("\n"))
}

// signInShape is the typed struct a raw decode fills: the fields of a
// sign-in or ARM record that Vedette reads, and nothing it does not.
type signInShape struct {
	Time            string `json:"time"`
	Category        string `json:"category"`
	TenantID        string `json:"tenantId"`
	OperationName   string `json:"operationName"`
	ResultType      string `json:"resultType"`
	CallerIPAddress string `json:"callerIpAddress"`
	ResourceID      string `json:"resourceId"`
	// Identity is a claims object in ARM records and a display name in
	// sign-ins: kept raw, as a typed decoder would.
	Identity   stdjson.RawMessage `json:"identity"`
	Properties struct {
		ID                string `json:"id"`
		CreatedDateTime   string `json:"createdDateTime"`
		UserPrincipalName string `json:"userPrincipalName"`
		UserID            string `json:"userId"`
		IPAddress         string `json:"ipAddress"`
		AppID             string `json:"appId"`
		AppDisplayName    string `json:"appDisplayName"`
		UserAgent         string `json:"userAgent"`
		IsInteractive     bool   `json:"isInteractive"`
		Status            struct {
			ErrorCode int `json:"errorCode"`
		} `json:"status"`
		Location struct {
			City            string `json:"city"`
			CountryOrRegion string `json:"countryOrRegion"`
			GeoCoordinates  struct {
				Latitude  float64 `json:"latitude"`
				Longitude float64 `json:"longitude"`
			} `json:"geoCoordinates"`
		} `json:"location"`
	} `json:"properties"`
}

// references are raw decodes of every line, no Vedette code involved.
var references = []struct {
	name   string
	decode func([]byte) error
}{
	{"goccy-struct", func(l []byte) error { var v signInShape; return gojson.Unmarshal(l, &v) }},
	{"goccy-struct-noescape", func(l []byte) error { var v signInShape; return gojson.UnmarshalNoEscape(l, &v) }},
	{"sonic-struct", func(l []byte) error { var v signInShape; return sonic.Unmarshal(l, &v) }},
	{"goccy-any", func(l []byte) error { var v any; return gojson.Unmarshal(l, &v) }},
	{"sonic-any", func(l []byte) error { var v any; return sonic.Unmarshal(l, &v) }},
}

// pathSink runs each event through the pipeline as normalize produces it.
type pathSink struct {
	p      *pipeline.Pipeline
	alerts int
}

func (s *pathSink) Event(e *event.Event)         { s.alerts += len(s.p.Process(e)) }
func (s *pathSink) Reject(r normalize.Rejection) {}

func newPath() *pathSink {
	cfg := config.Default()
	builtin := geoip.NewBuiltin()
	networks, err := asn.Builtin()
	if err != nil {
		panic(err)
	}
	p := pipeline.New(pipeline.Options{TrustRecordLocation: true}, baseline.New(cfg.Baseline),
		pipeline.Deps{Locator: builtin, Countries: builtin, Networks: runner.ASNetworks{T: networks}, Scoper: cfg.Scopes()})
	return &pathSink{p: p}
}

// runPath feeds data through the whole activity path: decode, normalize,
// locate, detect, learn. Each run starts from empty baselines, so every
// run does the same work.
func runPath(b *testing.B, data []byte) {
	s := newPath()
	if _, err := normalize.Read("bench", bytes.NewReader(data), s); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkActivityPath reports records/s of the activity path end to end
// and of each raw-decode reference, each as its own sub-benchmark.
func BenchmarkActivityPath(b *testing.B) {
	data, lines := load(b)
	b.Run("path", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			runPath(b, data)
		}
		b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	for _, ref := range references {
		b.Run("raw-"+ref.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				for _, l := range lines {
					if err := ref.decode(l); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkActivityPathRatio alternates the raw decodes and the whole path
// in every iteration and reports path speed as a fraction of raw-decode
// speed: all see the same machine noise. x-of-raw-decode is against
// goccy's Unmarshal (the figure earlier commits reported), x-of-noescape
// against its UnmarshalNoEscape (issue 13's target); the -cpu figures are
// the same ratios of the process's CPU time, steadier when other work
// competes for the cores.
func BenchmarkActivityPathRatio(b *testing.B) {
	data, lines := load(b)
	var wall, cpu [3]time.Duration // goccy, goccy NoEscape, path
	measure := func(k int, run func()) {
		t0, c0 := time.Now(), cpuTime()
		run()
		wall[k] += time.Since(t0)
		cpu[k] += cpuTime() - c0
	}
	decodeAll := func(decode func([]byte) error) func() {
		return func() {
			for _, l := range lines {
				if err := decode(l); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	for b.Loop() {
		measure(0, decodeAll(references[0].decode))
		measure(1, decodeAll(references[1].decode))
		measure(2, func() { runPath(b, data) })
	}
	b.ReportMetric(wall[0].Seconds()/wall[2].Seconds(), "x-of-raw-decode")
	b.ReportMetric(wall[1].Seconds()/wall[2].Seconds(), "x-of-noescape")
	if cpu[2] > 0 {
		b.ReportMetric(cpu[0].Seconds()/cpu[2].Seconds(), "x-of-raw-decode-cpu")
		b.ReportMetric(cpu[1].Seconds()/cpu[2].Seconds(), "x-of-noescape-cpu")
	}
	b.ReportMetric(float64(len(lines))*float64(b.N)/wall[2].Seconds(), "path-records/s")
}

// collectSink keeps decoded events for BenchmarkPipeline.
type collectSink struct{ events []*event.Event }

func (s *collectSink) Event(e *event.Event)         { s.events = append(s.events, e) }
func (s *collectSink) Reject(r normalize.Rejection) {}

// BenchmarkNormalize is decoding and normalizing alone.
func BenchmarkNormalize(b *testing.B) {
	data, lines := load(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var s collectSink
		if _, err := normalize.Read("bench", bytes.NewReader(data), &s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(lines))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkPipeline is enrichment, detection and learning alone, on events
// decoded beforehand. Events are copied per run: the pipeline fills their
// locations.
func BenchmarkPipeline(b *testing.B) {
	data, _ := load(b)
	var s collectSink
	if _, err := normalize.Read("bench", bytes.NewReader(data), &s); err != nil {
		b.Fatal(err)
	}
	work := make([]event.Event, len(s.events))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		for i, e := range s.events {
			work[i] = *e
		}
		p := newPath()
		b.StartTimer()
		for i := range work {
			p.p.Process(&work[i])
		}
	}
	b.ReportMetric(float64(len(work))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
