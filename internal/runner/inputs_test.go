package runner

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/input"
)

// feed writes data to w from a goroutine and closes it; the returned
// channel reports the write error.
func feed(t *testing.T, open func() (*os.File, error), data []byte) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		w, err := open()
		if err == nil {
			_, err = w.Write(data)
			w.Close()
		}
		done <- err
	}()
	return done
}

// TestStdinAndFIFO: sign-ins on standard input ("-") and a gzipped flow log
// through a FIFO give the same alerts as the files: each is opened once and
// sniffed from a buffered prefix, so no byte is read twice.
func TestStdinAndFIFO(t *testing.T) {
	dir, cfg := month(t)
	flows, ncfg := netMonth(t)
	cfg.Network = ncfg.Network
	signins := filepath.Join(dir, "signins.jsonl")
	cfg.DataDir = t.TempDir()
	want, wantSum := detectFiles(t, cfg, signins, flows[0])
	if wantSum.Read == 0 || wantSum.FlowsRead == 0 || len(want) == 0 {
		t.Fatalf("reference run read %d events, %d flows, raised %d alerts", wantSum.Read, wantSum.FlowsRead, len(want))
	}

	act, err := os.ReadFile(signins)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(flows[0])
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(raw)
	zw.Close()

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = stdin; r.Close() })
	fifo := filepath.Join(t.TempDir(), "flows.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	stdinDone := feed(t, func() (*os.File, error) { return w, nil }, act)
	fifoDone := feed(t, func() (*os.File, error) { return os.OpenFile(fifo, os.O_WRONLY, 0) }, zipped.Bytes())

	cfg.DataDir = t.TempDir()
	got, gotSum := detectFiles(t, cfg, input.Stdin, fifo)
	for _, ch := range []<-chan error{stdinDone, fifoDone} {
		if err := <-ch; err != nil {
			t.Fatalf("writer: %v", err)
		}
	}
	if gotSum.Read != wantSum.Read || gotSum.FlowsRead != wantSum.FlowsRead || len(gotSum.Rejected) != 0 {
		t.Fatalf("read %d events and %d flows (want %d, %d), rejected %v",
			gotSum.Read, gotSum.FlowsRead, wantSum.Read, wantSum.FlowsRead, gotSum.Rejected)
	}
	if gotSum.Formats["stdin"] == "" || gotSum.Formats[fifo] == "" {
		t.Errorf("formats %v", gotSum.Formats)
	}
	if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
		t.Errorf("alerts from pipes differ from files' (-files +pipes):\n%s", diff)
	}
}

// TestFIFOWithoutWriter: a FIFO nobody opens for writing is given up after
// input.FIFOWait, reported, and the other inputs are still read.
func TestFIFOWithoutWriter(t *testing.T) {
	defer func(d time.Duration) { input.FIFOWait = d }(input.FIFOWait)
	input.FIFOWait = 300 * time.Millisecond
	dir, cfg := month(t)
	fifo := filepath.Join(t.TempDir(), "silent.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	cfg.DataDir = t.TempDir()
	start := time.Now()
	sum, err := Detect(cfg, []string{fifo, filepath.Join(dir, "signins.jsonl")}, Options{Out: &bytes.Buffer{}})
	if !errors.Is(err, ErrInputs) {
		t.Fatalf("err = %v, want ErrInputs", err)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("took %s", took)
	}
	if sum.Read == 0 || sum.Rejected["unreadable"] != 1 || !strings.Contains(sum.Examples[0].Detail, "no writer") {
		t.Fatalf("read %d, rejected %v, %v", sum.Read, sum.Rejected, sum.Examples)
	}
}

// TestCapturesSayWhatToDo: a pcap and an nfcapd file are recognised and
// rejected with what to do with them, not parsed as CSV.
func TestCapturesSayWhatToDo(t *testing.T) {
	d := t.TempDir()
	pcap := filepath.Join(d, "trace.pcap")
	nfcapd := filepath.Join(d, "nfcapd.202611300500")
	os.WriteFile(pcap, []byte("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00"), 0o600)
	os.WriteFile(nfcapd, []byte("\x0c\xa5\x02\x00\x01\x00\x00\x00"+strings.Repeat("\x00", 120)), 0o600)
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	sum, err := Detect(cfg, []string{pcap, nfcapd}, Options{Out: &bytes.Buffer{}})
	if !errors.Is(err, ErrInputs) || sum.Rejected["unsupported-input"] != 2 {
		t.Fatalf("err %v, rejected %v", err, sum.Rejected)
	}
	details := sum.Examples[0].Detail + sum.Examples[1].Detail
	for _, want := range []string{"zeek -r", "nfreplay"} {
		if !strings.Contains(details, want) {
			t.Errorf("no %q in %s", want, details)
		}
	}
}

// TestTenantCaseDoesNotSplitBaselines: every other sign-in naming its
// tenant in upper case (as some exports do) changes no alert.
func TestTenantCaseDoesNotSplitBaselines(t *testing.T) {
	dir, cfg := month(t)
	clean := filepath.Join(dir, "signins.jsonl")
	cfg.DataDir = t.TempDir()
	want, _ := detectFiles(t, cfg, clean)
	data, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"tenantId":"[0-9a-f-]+"`)
	lines := bytes.SplitAfter(data, []byte("\n"))
	changed := 0
	for i := range lines {
		if i%2 == 0 && re.Match(lines[i]) {
			lines[i] = re.ReplaceAllFunc(lines[i], bytes.ToUpper)
			lines[i] = bytes.Replace(lines[i], []byte(`"TENANTID"`), []byte(`"tenantId"`), 1)
			changed++
		}
	}
	mixed := filepath.Join(t.TempDir(), "signins-mixed-case.jsonl")
	if err := os.WriteFile(mixed, bytes.Join(lines, nil), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	got, sum := detectFiles(t, cfg, mixed)
	if changed < 100 || len(want) == 0 || len(sum.Rejected) != 0 {
		t.Fatalf("%d lines changed, %d alerts, rejected %v", changed, len(want), sum.Rejected)
	}
	if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
		t.Errorf("upper-case tenant IDs changed the alerts (-clean +mixed):\n%s", diff)
	}
}
