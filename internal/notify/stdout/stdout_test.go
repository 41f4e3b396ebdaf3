package stdout

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/format/cef"
	"github.com/vedette/vedette/internal/format/formattest"
	"github.com/vedette/vedette/internal/notify"
)

func TestNotifyWritesLines(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	changes := formattest.Changes(t)
	if _, err := New(&buf, cef.Format).Notify(t.Context(), changes); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(changes) || !strings.HasPrefix(lines[4], "CEF:0|Vedette|") {
		t.Errorf("got %d lines: %q", len(lines), lines)
	}
}

// The reader of the pipe went away (`| head -n 5`): the output says so with
// ErrClosed, not as a retryable failure nor one to dead-letter.
func TestClosedPipe(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r.Close()
	retry, err := New(w, cef.Format).Notify(t.Context(), formattest.Changes(t))
	if retry || !errors.Is(err, notify.ErrClosed) {
		t.Errorf("retry=%v err=%v, want ErrClosed", retry, err)
	}
}
