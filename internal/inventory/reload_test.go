package inventory

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestReloadFileKeepsLearned(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "inv.csv")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ip,host\n10.0.0.5,web-01\n")
	inv, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	learnedIP := netip.MustParseAddr("10.9.9.9")
	inv.Learn(learnedIP, Host{Name: "vm-learned"}, at)

	write("ip,host\n10.0.0.6,web-02\n")
	if n, err := inv.ReloadFile(path); err != nil || n != 1 {
		t.Fatalf("reload: %d, %v", n, err)
	}
	if _, ok := inv.Lookup(netip.MustParseAddr("10.0.0.5"), at); ok {
		t.Error("mapping removed from the file still there")
	}
	if h, ok := inv.Lookup(netip.MustParseAddr("10.0.0.6"), at); !ok || h.Name != "web-02" {
		t.Errorf("new mapping: %v %v", h, ok)
	}
	if h, ok := inv.Lookup(learnedIP, at); !ok || h.Name != "vm-learned" {
		t.Errorf("learned mapping lost: %v %v", h, ok)
	}
	write("ip,host\nnot-an-ip,x\n")
	if _, err := inv.ReloadFile(path); err == nil {
		t.Fatal("bad file accepted")
	}
	if _, ok := inv.Lookup(netip.MustParseAddr("10.0.0.6"), at); !ok {
		t.Error("a failed reload changed the mappings")
	}
}
