package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/gen"
)

// TestMain lets a test run the command itself: the test binary re-executed
// with VEDETTE_RUN_MAIN=1 is vedette, with its real exit status.
func TestMain(m *testing.M) {
	if os.Getenv("VEDETTE_RUN_MAIN") == "1" {
		os.Args = append([]string{"vedette"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// vedette runs the command with args and stdin; it returns stdout, stderr
// and the exit status.
func vedette(t *testing.T, stdin []byte, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "VEDETTE_RUN_MAIN=1")
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestExitStatusAndHelp(t *testing.T) {
	data := t.TempDir()
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		output string // in stdout or stderr
	}{
		{"help", []string{"--help"}, 0, "commands:"},
		{"short help", []string{"-h"}, 0, "version  print the version"},
		{"command help", []string{"detect", "-h"}, 0, "-config"},
		{"help command", []string{"help", "check"}, 0, "-config"},
		{"version", []string{"version"}, 0, "go        go1."},
		{"unknown command", []string{"detcet"}, 2, `unknown command "detcet"`},
		{"no command", nil, 2, "usage:"},
		{"missing input", []string{"detect", "-data", data, "/nonexistent.json"}, 1, "inputs not read: 1 of 1"},
		{"bad flag", []string{"detect", "-nope"}, 1, "flag provided but not defined"},
		{"missing config", []string{"check", "-config", "/nonexistent.yaml"}, 1, "no such file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := vedette(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(out+errs, tt.output) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s%s", code, tt.code, tt.output, out, errs)
			}
		})
	}
}

// TestCheckOpensEveryFile: check loads the generated month's lists,
// inventory and TI feed, prints the effective settings as YAML, and fails
// naming the file when one is missing or unparsable.
func TestCheckOpensEveryFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "vedette.yaml"), []byte(genConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := gen.GenerateNetwork(filepath.Join(dir, "network"), smallNetwork()); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"tor-exit.txt", "anonymous-proxy.txt", "corporate.txt", "threat-intel.txt"} {
		os.MkdirAll(filepath.Join(dir, "lists"), 0o755)
		os.WriteFile(filepath.Join(dir, "lists", l), []byte("192.0.2.1\n198.51.100.0/24\n"), 0o600)
	}
	os.WriteFile(filepath.Join(dir, "lists", "vpn.csv"), []byte("network,label\n203.0.113.0/24,office\n"), 0o600)
	cfgPath := filepath.Join(dir, "vedette.yaml")
	out, errs, code := vedette(t, nil, "check", "-config", cfgPath)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	for _, want := range []string{"network:\n", "snapshot_interval: 1m\n", "window: 720h\n", "max_speed_kmh: 900\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("effective settings lack %q:\n%s", want, out)
		}
	}
	for _, want := range []string{"tor-exit.txt (tor-exit, plain): 2 entries", "network.inventory", "network.ti", "valid"} {
		if !strings.Contains(errs, want) {
			t.Errorf("report lacks %q:\n%s", want, errs)
		}
	}
	os.Remove(filepath.Join(dir, "lists", "vpn.csv"))
	os.WriteFile(filepath.Join(dir, "network", gen.NetInventoryFile), []byte("not-an-ip,host,sub\n"), 0o600)
	_, errs, code = vedette(t, nil, "check", "-config", cfgPath)
	if code != 1 || !strings.Contains(errs, "vpn.csv") || !strings.Contains(errs, "network.inventory") || strings.Contains(errs, ": valid") {
		t.Errorf("exit %d, want 1 naming vpn.csv and the inventory:\n%s", code, errs)
	}
}

// smallNetwork is a short network month: its inventory and TI list are
// what check reads.
func smallNetwork() gen.NetworkConfig {
	nc := gen.DefaultNetworkConfig()
	nc.Days, nc.VMs = 4, 20
	return nc
}

// TestDetectReadsStandardInput: "-" and /dev/stdin read the same records as
// the file, gzipped or not.
func TestDetectReadsStandardInput(t *testing.T) {
	path := filepath.Join("..", "..", "internal", "normalize", "testdata", "mixed.jsonl")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	summary := func(stdin []byte, arg string) string {
		t.Helper()
		_, errs, code := vedette(t, stdin, "detect", "-data", t.TempDir(), arg)
		if code != 0 {
			t.Fatalf("detect %s: exit %d:\n%s", arg, code, errs)
		}
		line, _, _ := strings.Cut(errs, "\n")
		return strings.Replace(line, "1 files", "", 1)
	}
	want := summary(nil, path)
	if !strings.Contains(want, "events read") || strings.Contains(want, " 0 events read") {
		t.Fatalf("file run: %s", want)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(raw)
	zw.Close()
	for name, run := range map[string][2]any{
		"-":             {raw, "-"},
		"/dev/stdin":    {raw, "/dev/stdin"},
		"gzip on stdin": {zipped.Bytes(), "-"},
	} {
		if got := summary(run[0].([]byte), run[1].(string)); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}
