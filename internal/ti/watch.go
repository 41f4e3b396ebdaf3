package ti

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// Watcher reloads feed files when they change and serves lookups from the
// latest good Set. A reload that fails keeps the previous Set.
type Watcher struct {
	paths    []string
	interval time.Duration
	log      *slog.Logger
	cur      atomic.Pointer[Set]
	stamp    string
}

var _ Matcher = (*Watcher)(nil)

// NewWatcher loads paths once (failing if they do not load) and returns a
// Watcher that checks them every interval (1 minute when 0) while Run runs.
func NewWatcher(paths []string, interval time.Duration, log *slog.Logger) (*Watcher, error) {
	if interval <= 0 {
		interval = time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{paths: paths, interval: interval, log: log}
	s, err := Load(paths)
	if err != nil {
		return nil, err
	}
	w.cur.Store(s)
	w.stamp = w.fingerprint()
	return w, nil
}

// Current is the Set in use.
func (w *Watcher) Current() *Set { return w.cur.Load() }

// Lookup looks ip up in the current Set.
func (w *Watcher) Lookup(ip netip.Addr, t time.Time) (Entry, bool) {
	return w.cur.Load().Lookup(ip, t)
}

// Run polls the files until ctx is done; it returns nil then.
func (w *Watcher) Run(ctx context.Context) error {
	tk := time.NewTicker(w.interval)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tk.C:
			w.Reload()
		}
	}
}

// Reload reloads the feeds if any file's size or modification time changed,
// and reports whether a new Set is in use.
func (w *Watcher) Reload() bool {
	stamp := w.fingerprint()
	if stamp == w.stamp {
		return false
	}
	s, err := Load(w.paths)
	if err != nil {
		w.log.Warn("ti reload", "err", err)
		return false
	}
	w.stamp = stamp
	w.cur.Store(s)
	w.log.Info("ti reloaded", "prefixes", s.Len(), "skipped", s.Skipped())
	return true
}

func (w *Watcher) fingerprint() string {
	var b []byte
	for _, p := range w.paths {
		fi, err := os.Stat(p)
		if err != nil {
			b = append(b, "missing;"...)
			continue
		}
		b = fi.ModTime().AppendFormat(b, time.RFC3339Nano)
		b = strconv.AppendInt(append(b, ' '), fi.Size(), 10)
		b = append(b, ';')
	}
	return string(b)
}
