package main

import (
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
