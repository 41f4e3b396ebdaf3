package iplist

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestWatcherReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ti := filepath.Join(dir, "ti.txt")
	writeFile(t, ti, "175.45.176.0/22 # Star JV\n")
	w, err := NewWatcher([]ListConfig{{Path: ti, Category: Malicious}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	old := w.Current()
	kp, scanner := netip.MustParseAddr("175.45.176.99"), netip.MustParseAddr("45.155.205.233")
	if _, ok := old.Has(kp, Malicious); !ok {
		t.Fatal("first load misses 175.45.176.99")
	}

	writeFile(t, ti, "45.155.205.233 # scanner\n")
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	cur := w.Current()
	if _, ok := cur.Has(kp, Malicious); ok {
		t.Error("reloaded set still has the removed prefix")
	}
	if _, ok := cur.Has(scanner, Malicious); !ok {
		t.Error("reloaded set misses the added address")
	}
	if _, ok := old.Has(kp, Malicious); !ok {
		t.Error("the old Set changed: Sets must be immutable")
	}

	if err := os.Remove(ti); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); err == nil || !strings.Contains(err.Error(), ti) {
		t.Fatalf("Reload of a removed file = %v, want an error naming it", err)
	}
	if w.Current() != cur {
		t.Error("a failed reload replaced the Set")
	}
}

func TestNewWatcherError(t *testing.T) {
	t.Parallel()
	_, err := NewWatcher([]ListConfig{{Path: filepath.Join(t.TempDir(), "none.txt"), Category: Allow}}, slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("NewWatcher with a missing file: no error")
	}
}

// TestWatcherRun drives Run's ticker with synctest's clock while the files
// change on disk.
func TestWatcherRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		tor := filepath.Join(dir, "tor.txt")
		writeFile(t, tor, "185.220.101.34\n")
		var logs bytes.Buffer
		var mu sync.Mutex
		log := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
		w, err := NewWatcher([]ListConfig{{Path: tor, Category: TorExit}}, log)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- w.Run(ctx, time.Minute) }()

		first := w.Current()
		time.Sleep(90 * time.Second) // one tick, nothing changed
		synctest.Wait()
		if w.Current() != first {
			t.Error("reloaded without a change")
		}

		writeFile(t, tor, "185.220.101.34\n185.220.101.35\nnot an address\n")
		time.Sleep(time.Minute)
		synctest.Wait()
		if got := w.Current().Len(); got != 2 {
			t.Errorf("after the change Len() = %d, want 2", got)
		}

		if err := os.Remove(tor); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Minute) // three ticks: one failed reload, logged once
		synctest.Wait()
		if got := w.Current().Len(); got != 2 {
			t.Errorf("after a failed reload Len() = %d, want the previous 2", got)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run() = %v", err)
		}
		mu.Lock()
		out := logs.String()
		mu.Unlock()
		if n := strings.Count(out, "iplist reload, keeping previous lists"); n != 1 {
			t.Errorf("reload error logged %d times, want once:\n%s", n, out)
		}
		if !strings.Contains(out, "iplist bad lines skipped") || !strings.Contains(out, tor+":3:") {
			t.Errorf("bad line not logged with its position:\n%s", out)
		}
	})
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestWatcherConcurrentReaders looks up while reloading; run with -race.
func TestWatcherConcurrentReaders(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "vpn.txt")
	writeFile(t, p, "146.70.0.0/16\n")
	w, err := NewWatcher([]ListConfig{{Path: p, Category: VPN}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr("146.70.1.1")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 2000 {
				if _, ok := w.Current().Has(ip, VPN); !ok {
					t.Error("lookup missed during reload")
					return
				}
			}
		})
	}
	for range 20 {
		if err := w.Reload(); err != nil {
			t.Error(err)
		}
	}
	wg.Wait()
}
