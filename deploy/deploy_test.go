// Package deploy holds the files to install Vedette as a service; its test
// checks them with the tools that will read them.
package deploy

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vedette/vedette/internal/config"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// vedette builds the binary once for the package's tests.
func vedette(t *testing.T) string {
	t.Helper()
	// Read what decides the binary's modules, so that go test's cache
	// runs this again when they change.
	for _, f := range []string{"../go.mod", "../go.sum"} {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "vedette-deploy"); buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "vedette"), "../cmd/vedette").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "vedette")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// TestNoticeNamesEveryModule: NOTICE names every module compiled into the
// binary, so a new dependency cannot ship without its attribution.
func TestNoticeNamesEveryModule(t *testing.T) {
	info, err := buildinfo.ReadFile(vedette(t))
	if err != nil {
		t.Fatal(err)
	}
	notice, err := os.ReadFile("../NOTICE")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range info.Deps {
		if !strings.Contains(string(notice), d.Path) {
			t.Errorf("NOTICE does not name %s (%s): add it under its licence", d.Path, d.Version)
		}
	}
}

// needTool skips when a command is missing, unless in CI, where the
// check must run.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed: .ci/run installs it", name)
		}
		t.Skipf("%s not installed", name)
	}
	return path
}

// TestSystemdUnit verifies vedette.service with systemd-analyze: the unit
// parses without a warning (with its ExecStart pointed at a freshly built
// binary, since verify checks the executable), and its sandbox keeps the
// exposure score at 2.0 or below.
func TestSystemdUnit(t *testing.T) {
	analyze := needTool(t, "systemd-analyze")
	dir := t.TempDir()
	bin := vedette(t)
	unit, err := os.ReadFile("vedette.service")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(unit), "ExecStart=/usr/local/bin/vedette ") {
		t.Fatal("ExecStart no longer runs /usr/local/bin/vedette: update this test and the install notes")
	}
	path := filepath.Join(dir, "vedette.service")
	if err := os.WriteFile(path, []byte(strings.Replace(string(unit), "ExecStart=/usr/local/bin/vedette", "ExecStart="+bin, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || strings.Contains(string(out), "vedette.service") {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err = exec.Command(analyze, "security", "--offline=yes", "--threshold=20", path).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: exposure above 2.0 (%v)\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	t.Log(lines[len(lines)-1])
}

// TestExampleConfig loads the configuration the unit points at.
func TestExampleConfig(t *testing.T) {
	cfg, err := config.Load("vedette.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Ops.Listen != "127.0.0.1:9464" {
		t.Errorf("ops.listen %q", cfg.Ops.Listen)
	}
}
