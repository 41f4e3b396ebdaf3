package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestAlertCollectorBatches feeds the collector a batch of two alerts and
// a third split over two writes, as the output's delivery does.
func TestAlertCollectorBatches(t *testing.T) {
	var c alertCollector
	for _, w := range []string{
		"{\"id\":\"a\",\"detection\":\"password-spray\"}\n{\"id\":\"b\",\"detection\":\"brute-force-success\"}\n",
		"{\"id\":\"c\",\"detec",
		"tion\":\"impossible-travel\"}\n",
	} {
		if n, err := c.Write([]byte(w)); err != nil || n != len(w) {
			t.Fatalf("Write(%q) = %d, %v", w, n, err)
		}
	}
	if len(c.alerts) != 3 || c.alerts[2].Detection != "impossible-travel" {
		t.Fatalf("collected %+v", c.alerts)
	}
	if _, err := c.Write([]byte("not json\n")); err == nil {
		t.Error("a bad line is accepted")
	}
}

// TestEvalSample scores the shipped sample end to end: every labelled
// detection found, no false alert.
func TestEvalSample(t *testing.T) {
	out, errs, code := vedette(t, nil, "eval", filepath.Join("..", "..", "testdata", "sample"))
	if code != 0 {
		t.Fatalf("eval: exit %d:\n%s", code, errs)
	}
	rows := 0
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) != 8 || f[0] == "detection" {
			continue
		}
		rows++
		if f[6] != "1.000" || f[7] != "1.000" {
			t.Errorf("%s: precision %s, recall %s", f[0], f[6], f[7])
		}
	}
	if rows < 8 {
		t.Errorf("%d detections scored:\n%s", rows, out)
	}
}
