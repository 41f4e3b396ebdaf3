package runner

import (
	"context"
	"io"
	"net/netip"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/store"
)

// TestDetectWhileServe: `vedette detect` back-fills the data directory
// `vedette serve` is running on (the bbolt store locked it); a third
// reader (`vedette alerts`) sees detect's alerts while serve still runs.
func TestDetectWhileServe(t *testing.T) {
	cfg, err := config.Load("../../testdata/sample/vedette.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = []string{"127.0.0.1:0"}, nil
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	ready := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- Serve(ctx, cfg, ServeOptions{Out: io.Discard, Ready: func([]netip.AddrPort) { close(ready) }})
	}()
	select {
	case <-ready:
	case err := <-served:
		t.Fatalf("serve stopped: %v", err)
	}
	sum, err := Detect(cfg, []string{"../../testdata/sample/signins.jsonl", "../../testdata/sample/activity.jsonl"}, Options{Out: io.Discard})
	if err != nil {
		t.Fatalf("detect beside serve: %v", err)
	}
	if sum.NewAlerts == 0 {
		t.Fatal("the sample raised nothing")
	}
	reader, err := store.Open(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	c, err := reader.CountAlerts(ctx, store.AlertFilter{})
	if err != nil || c.Total != sum.NewAlerts {
		t.Errorf("a reader beside serve sees %d alerts (%v), detect stored %d", c.Total, err, sum.NewAlerts)
	}
	select {
	case err := <-served:
		t.Fatalf("serve stopped while detect ran: %v", err)
	default:
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
}
