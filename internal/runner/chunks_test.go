package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/chunkread"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/input"
	"github.com/vedette/vedette/internal/normalize"
)

// outcome is what reading an input produced.
type outcome struct {
	Events     []string
	Rejections []string // as rejected.jsonl has them, the input's failure last
	Format     string
	Failed     int
}

// gated is the old detect's sink: normalize.Read, then the time gate.
type gated struct {
	g   *gate
	out *outcome
}

func (s gated) Event(e *event.Event) {
	if rej, ok := s.g.event(e); !ok {
		s.Reject(rej)
		return
	}
	s.out.Events = append(s.out.Events, eventLine(e))
}

func eventLine(e *event.Event) string {
	return fmt.Sprintf("%s %s %d %s %s %s", e.Time.Format(time.RFC3339Nano), e.Key, e.Origin.Record, e.Principal, e.SourceIP, e.Operation)
}

func (s gated) Reject(r normalize.Rejection) {
	b, _ := json.Marshal(r)
	s.out.Rejections = append(s.out.Rejections, string(b))
}

func testEnv() *Env {
	return &Env{cfg: config.Default(), log: slog.New(slog.DiscardHandler), clock: time.Now}
}

// readSequential reads data as detect did before chunks: normalize.Read
// over the whole input.
func readSequential(env *Env, data []byte) outcome {
	var out outcome
	s := gated{env.newGate(), &out}
	format, err := normalize.Read("in", bytes.NewReader(data), s)
	if err != nil {
		out.Failed = 1
		s.Reject(normalize.Rejection{Source: "in", Reason: inputReason(err), Detail: err.Error()})
	} else {
		out.Format = string(format)
	}
	return out
}

// readChunked reads data as detect does now, in chunks of about chunk
// bytes decoded on a pool of two workers.
func readChunked(t testing.TB, env *Env, data []byte, chunk int) outcome {
	dir := t.TempDir()
	dead, err := openDeadLetter(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{sum: &Summary{Rejected: map[string]int{}, Formats: map[string]string{}}, dead: dead}
	pool := chunkread.NewPool(2)
	defer pool.Close()
	decoders := []*normalize.LineDecoder{normalize.NewLineDecoder(), normalize.NewLineDecoder()}
	in, err := input.FromBytes("in", data)
	if err != nil {
		t.Fatal(err)
	}
	a := env.openActivityInput(&source{name: "in", in: in}, &inputLog{c: c}, pool, decoders, streamLimits{chunk: chunk, depth: 3}, nil)
	a.read = new(int)
	var out outcome
	for {
		e, err := a.Next()
		if err == io.EOF {
			break
		}
		out.Events = append(out.Events, eventLine(e))
	}
	a.close()
	dead.close()
	b, err := os.ReadFile(filepath.Join(dir, "rejected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.TrimSpace(string(b)); s != "" {
		out.Rejections = strings.Split(s, "\n")
	}
	out.Format, out.Failed = c.sum.Formats["in"], c.failed
	return out
}

// chunkSeeds are inputs whose chunked reading has something to get right.
func chunkSeeds(t testing.TB) [][]byte {
	sample, err := os.ReadFile("../../testdata/sample/signins.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	mixed, err := os.ReadFile("../normalize/testdata/mixed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(sample, []byte("\n"))
	unknown := []byte(`{"hello":"world"}` + "\n")
	var lead, broken bytes.Buffer
	for range 40 { // unknown records before the first known one: held back
		lead.Write(unknown)
	}
	lead.WriteString("not json\n\n")
	lead.Write(bytes.Join(lines[:50], nil))
	for i, l := range lines[:200] {
		broken.Write(l)
		if i%7 == 3 {
			broken.WriteString("{\"time\": \"2026-10-03T10:00:00Z\", \"properties\": {\"broken\n   \n")
		}
		if i%11 == 5 {
			broken.Write(unknown)
		}
	}
	var tooMany bytes.Buffer
	for range 70 { // more unknown records than are held back: unknown format
		tooMany.Write(unknown)
	}
	tooMany.Write(bytes.Join(lines[:5], nil))
	return [][]byte{sample, mixed, lead.Bytes(), broken.Bytes(), tooMany.Bytes(),
		[]byte(`{"records":[` + strings.TrimSuffix(strings.ReplaceAll(string(bytes.Join(lines[:3], nil)), "\n", ","), ",") + "]}\n" + string(bytes.Join(lines[3:9], nil))),
		bytes.Join(lines[:1], nil)}
}

// TestChunkedReadIsSequentialRead: whatever the chunk size, reading an
// input in chunks on a pool gives the events, rejections (in order),
// format and failure of normalize.Read over the whole input.
func TestChunkedReadIsSequentialRead(t *testing.T) {
	env := testEnv()
	for i, data := range chunkSeeds(t) {
		want := readSequential(env, data)
		for _, chunk := range []int{1, 300, 4 << 10, 1 << 20} {
			got := readChunked(t, env, data, chunk)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("seed %d, chunks of %d bytes: (-sequential +chunked):\n%s", i, chunk, diff)
			}
		}
	}
}

// TestChunkedTooLongLine: a line longer than normalize.MaxLine is skipped
// in its place, numbered as Read numbers it.
func TestChunkedTooLongLine(t *testing.T) {
	sample, err := os.ReadFile("../../testdata/sample/signins.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(sample, []byte("\n"))
	long := append(append([]byte(`{"time":"`), bytes.Repeat([]byte("x"), normalize.MaxLine)...), "\"}\n"...)
	data := slices.Concat(bytes.Join(lines[:20], nil), long, bytes.Join(lines[20:40], nil))
	env := testEnv()
	want := readSequential(env, data)
	got := readChunked(t, env, data, 8<<10)
	if diff := cmp.Diff(want, got); diff != "" || len(got.Rejections) == 0 {
		t.Errorf("(-sequential +chunked):\n%s", diff)
	}
}

// FuzzChunkedRead: any input, any chunk size, chunked reading is
// sequential reading.
func FuzzChunkedRead(f *testing.F) {
	for _, s := range chunkSeeds(f) {
		f.Add(s[:min(len(s), 16<<10)], uint16(512))
	}
	env := testEnv()
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		want := readSequential(env, data)
		got := readChunked(t, env, data, int(chunk))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("chunks of %d bytes: (-sequential +chunked):\n%s", chunk, diff)
		}
	})
}
