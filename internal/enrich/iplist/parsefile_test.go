package iplist

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestParse checks the entry point other packages use: every prefix is
// emitted with its line and label, duplicates included, and bad lines are
// counted, not emitted.
func TestParse(t *testing.T) {
	t.Parallel()
	body := "; DROP excerpt\n1.10.16.0/20 ; SBL256894\n192.0.2.300\n192.0.2.10-192.0.2.13 edge\n1.10.16.0/20 again\n"
	var got []Item
	st, err := Parse("drop.txt", "", strings.NewReader(body), func(it Item) { got = append(got, it) })
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{
		{Prefix: netip.MustParsePrefix("1.10.16.0/20"), Label: "SBL256894", Line: 2},
		{Prefix: netip.MustParsePrefix("192.0.2.10/31"), Label: "edge", Line: 4},
		{Prefix: netip.MustParsePrefix("192.0.2.12/31"), Label: "edge", Line: 4},
		{Prefix: netip.MustParsePrefix("1.10.16.0/20"), Label: "again", Line: 5},
	}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
		t.Errorf("items (-want +got):\n%s", d)
	}
	wantSt := FileStats{Format: FormatPlain, BadLines: 1, FirstBad: `drop.txt:3: bad address "192.0.2.300"`}
	if st != wantSt {
		t.Errorf("stats = %+v, want %+v", st, wantSt)
	}
	if _, err := Parse("x.json", "json", strings.NewReader(""), func(Item) {}); !errors.Is(err, ErrFormat) {
		t.Errorf("unknown format: err = %v, want ErrFormat", err)
	}
}

func TestFileStamps(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "list.txt")
	writeFile(t, p, "192.0.2.1\n")
	f := NewFileStamps([]string{p})
	if !f.Changed() {
		t.Error("Changed before any Mark = false")
	}
	f.Mark()
	if f.Changed() {
		t.Error("Changed right after Mark")
	}
	writeFile(t, p, "192.0.2.1\n192.0.2.2\n")
	if err := os.Chtimes(p, time.Unix(1e9, 0), time.Unix(1e9, 0)); err != nil {
		t.Fatal(err)
	}
	if !f.Changed() {
		t.Error("rewritten file not noticed")
	}
	f.Mark()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if !f.Changed() {
		t.Error("removed file not noticed")
	}
}
