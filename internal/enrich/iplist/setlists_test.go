package iplist

import (
	"log/slog"
	"net/netip"
	"path/filepath"
	"testing"
)

// TestSetLists: a configuration reload that adds a list takes effect, and
// one naming a missing file keeps the lists in force.
func TestSetLists(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tor, offices := filepath.Join(dir, "tor.txt"), filepath.Join(dir, "offices.txt")
	writeFile(t, tor, "185.220.101.34\n")
	writeFile(t, offices, "198.51.100.0/24\n")
	w, err := NewWatcher([]ListConfig{{Path: tor, Category: TorExit}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	office := netip.MustParseAddr("198.51.100.7")
	if _, ok := w.Current().Has(office, Corporate); ok {
		t.Fatal("office listed before its list is configured")
	}
	both := []ListConfig{{Path: tor, Category: TorExit}, {Path: offices, Category: Corporate, Name: "offices"}}
	if err := w.SetLists(both); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Current().Has(office, Corporate); !ok {
		t.Fatal("added list not in force")
	}
	if err := w.SetLists([]ListConfig{{Path: filepath.Join(dir, "none.txt"), Category: Allow}}); err == nil {
		t.Fatal("missing list file accepted")
	}
	if _, ok := w.Current().Has(office, Corporate); !ok {
		t.Fatal("a failed reload dropped the lists in force")
	}
	writeFile(t, offices, "203.0.113.0/24\n")
	if !w.changed() {
		t.Error("the new list's file is not watched")
	}
}
