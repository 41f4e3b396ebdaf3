package runner

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/chunkread"
	"github.com/vedette/vedette/internal/input"
	"github.com/vedette/vedette/internal/normalize"
)

// producer writes head, then body over and over into a pipe it never
// closes: without end, or up to about silent bytes (when not 0), then
// nothing. The returned name opens the pipe's read end as a FIFO.
func producer(t *testing.T, head, body []byte, silent int) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		w.Write(head)
		for n := 0; silent == 0 || n < silent; n += len(body) {
			if _, err := w.Write(body); err != nil {
				return
			}
		}
		<-done // silent: the writer stays, writing nothing
	}()
	t.Cleanup(func() {
		close(done)
		w.Close()
		r.Close()
	})
	return fmt.Sprintf("/proc/self/fd/%d", r.Fd())
}

// TestAbandonedInputStopsPromptly: an input given up on after its first
// events (its attempt abandoned) stops being read and parsed at once,
// though the pipe it reads never closes, its writer writing on or silent:
// CSV and JSON documents parsed whole, and JSON lines read in chunks.
func TestAbandonedInputStopsPromptly(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	csv, err := os.ReadFile("../normalize/testdata/la-signin.csv")
	if err != nil {
		t.Fatal(err)
	}
	csvHead, csvBody, _ := bytes.Cut(csv, []byte("\n"))
	csvHead = append(csvHead, '\n')
	csvBody = append(bytes.TrimSpace(csvBody), '\n')
	lines, err := os.ReadFile("../../testdata/sample/signins.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	env := testEnv()
	for _, tc := range []struct {
		name       string
		head, body []byte
		silent     int // the reader is left waiting: more than its first
		// results (a CSV batch is 1024 events), less than it reads ahead
	}{
		{"csv, writer writing on", csvHead, csvBody, 0},
		{"csv, writer silent", csvHead, csvBody, 1100 * len(csvBody)},
		{"json lines, writer writing on", nil, lines, 0},
		{"json lines, writer silent", nil, lines[:bytes.IndexByte(lines, '\n')+1], 160 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := input.Open(producer(t, tc.head, tc.body, tc.silent))
			if err != nil {
				t.Fatal(err)
			}
			dead, err := openDeadLetter(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer dead.close()
			c := &collector{sum: &Summary{Rejected: map[string]int{}, Formats: map[string]string{}}, dead: dead}
			pool := chunkread.NewPool(2)
			defer pool.Close()
			decoders := []*normalize.LineDecoder{normalize.NewLineDecoder(), normalize.NewLineDecoder()}
			a := env.openActivityInput(&source{name: in.Name, in: in}, &inputLog{c: c}, pool, decoders, streamLimits{chunk: 64 << 10, depth: 2}, nil)
			a.read = new(int)
			within(t, 10*time.Second, "the first events", func() {
				for range 50 {
					if _, err := a.Next(); err != nil {
						t.Errorf("event: %v", err)
					}
				}
			})
			within(t, 10*time.Second, "giving up on the input", a.close)
		})
	}
}

// within runs f, failing the test if it takes longer than d.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: not done %s later", what, d)
	}
}
