package normalize

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/vedette/vedette/internal/event"
)

// collector is a Sink that keeps everything.
type collector struct {
	events     []*event.Event
	rejections []Rejection
}

func (c *collector) Event(e *event.Event) { c.events = append(c.events, e) }
func (c *collector) Reject(r Rejection)   { c.rejections = append(c.rejections, r) }

// externalDir is /work/shared/testdata-external seen from this package:
// ../../../shared/testdata-external. Tests that need it skip without it.
func externalDir(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata-external")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("external test data absent: %v", err)
	}
	return dir
}

func readAll(t testing.TB, path string) (*collector, Format, error) {
	t.Helper()
	c := &collector{}
	f, err := ReadFile(path, c)
	return c, f, err
}
