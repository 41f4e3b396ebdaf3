package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/config"
)

// TestCheckFilesReportsEveryBadFile: every file that does not load is
// named, not only the first; the ones that load are reported.
func TestCheckFilesReportsEveryBadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "tor.txt")
	os.WriteFile(good, []byte("192.0.2.1\n"), 0o600)
	notPEM := filepath.Join(dir, "ca.pem")
	os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600)
	cfg := config.Default()
	cfg.Lists = []config.List{
		{Path: good, Category: "tor-exit", Name: "tor"},
		{Path: filepath.Join(dir, "missing.txt"), Category: "anonymous-vpn", Name: "vpn"},
	}
	cfg.Geo.MMDB = []string{filepath.Join(dir, "city.mmdb")}
	cfg.Network.Inventory = filepath.Join(dir, "inventory.csv")
	cfg.Network.TI.Lists = []string{filepath.Join(dir, "ti.txt")}
	cfg.Activity.Kafka.TLS.CAFile = notPEM
	cfg.API.TLS = config.TLSFiles{Cert: filepath.Join(dir, "api.crt"), Key: filepath.Join(dir, "api.key")}
	report, err := CheckFiles(cfg)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"lists[1]", "missing.txt", "geo.mmdb[0]", "network.inventory", "network.ti", "activity.kafka.tls.ca_file", "api.tls"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if len(report) != 1 || !strings.Contains(report[0], "tor.txt (tor-exit, plain): 1 entries") {
		t.Errorf("report %q", report)
	}
}
