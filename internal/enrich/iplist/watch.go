package iplist

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Watcher keeps the current Set and reloads it when a list file changes.
// Readers call Current for each lookup batch; a reload swaps the whole Set
// atomically, so a reader sees either the old lists or the new ones.
type Watcher struct {
	lists []ListConfig
	log   *slog.Logger
	cur   atomic.Pointer[Set]
	// version names the Set in force, set after each swap from versions.
	version atomic.Uint64

	mu    sync.Mutex // serialises reloads and guards files
	files *FileStamps
}

// NewWatcher loads lists once; it fails when that load fails.
func NewWatcher(lists []ListConfig, log *slog.Logger) (*Watcher, error) {
	paths := make([]string, len(lists))
	for i, lc := range lists {
		paths[i] = lc.Path
	}
	w := &Watcher{lists: slices.Clone(lists), log: log, files: NewFileStamps(paths)}
	if err := w.Reload(); err != nil {
		return nil, err
	}
	return w, nil
}

// Current returns the Set in force.
func (w *Watcher) Current() *Set { return w.cur.Load() }

// Version names the Set in force: it changes after every swap, so an
// answer read from Current after Version returned n comes from the Set
// of version n or a later one, never an earlier one.
func (w *Watcher) Version() uint64 { return w.version.Load() }

// swap puts s in force.
func (w *Watcher) swap(s *Set) {
	w.cur.Store(s)
	w.version.Store(versions.Add(1))
}

// versions numbers the Sets of every Watcher of the process: a version
// names one Set, whichever Watcher holds it.
var versions atomic.Uint64

// Reload loads every list again and swaps the new Set in. On error the
// current Set stays in force and the error is returned.
func (w *Watcher) Reload() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	// Stamp before reading, so a write during the load is seen next time.
	w.files.Mark()
	s, err := Load(w.lists)
	if err != nil {
		return err
	}
	w.swap(s)
	return nil
}

// Run checks the files' modification times and sizes every interval and
// reloads when one changed, until ctx is done. Reload errors are logged,
// once per change, and the previous Set stays in force. It returns nil
// when ctx is done.
func (w *Watcher) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if !w.changed() {
			continue
		}
		if err := w.Reload(); err != nil {
			w.log.Error("iplist reload, keeping previous lists", "err", err)
			continue
		}
		w.logLoaded()
	}
}

func (w *Watcher) logLoaded() {
	s := w.Current()
	w.log.Info("iplist reloaded", "lists", len(s.stats), "prefixes", s.Len())
	for _, st := range s.stats {
		if st.BadLines > 0 {
			w.log.Warn("iplist bad lines skipped", "list", st.Name, "bad_lines", st.BadLines, "first_bad", st.FirstBad)
		}
	}
}

func (w *Watcher) changed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.files.Changed()
}
