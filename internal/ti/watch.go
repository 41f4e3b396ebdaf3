package ti

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vedette/vedette/internal/enrich/iplist"
)

// Watcher reloads feed files when they change and serves lookups from the
// latest good Set. A reload that fails keeps the previous Set and is
// logged once per change of the files.
type Watcher struct {
	paths    []string
	interval time.Duration
	log      *slog.Logger
	cur      atomic.Pointer[Set]
	// version names the Set in force, set after each swap from versions.
	version atomic.Uint64

	mu    sync.Mutex // serialises reloads and guards files
	files *iplist.FileStamps
}

var _ Matcher = (*Watcher)(nil)

// NewWatcher loads paths once (failing if they do not load) and returns a
// Watcher that checks them every interval (1 minute when 0) while Run runs.
// Feeds with skipped lines or indicators are logged as warnings.
func NewWatcher(paths []string, interval time.Duration, log *slog.Logger) (*Watcher, error) {
	if interval <= 0 {
		interval = time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{paths: paths, interval: interval, log: log, files: iplist.NewFileStamps(paths)}
	w.files.Mark()
	s, err := Load(paths)
	if err != nil {
		return nil, err
	}
	w.swap(s)
	w.logSkipped(s)
	return w, nil
}

// Current is the Set in use.
func (w *Watcher) Current() *Set { return w.cur.Load() }

// Version names the Set in use: it changes after every swap, so a lookup
// made after Version returned n answers from the Set of version n or a
// later one, never an earlier one.
func (w *Watcher) Version() uint64 { return w.version.Load() }

// swap puts s in use.
func (w *Watcher) swap(s *Set) {
	w.cur.Store(s)
	w.version.Store(versions.Add(1))
}

// versions numbers the Sets of every Watcher of the process: a version
// names one Set, whichever Watcher holds it.
var versions atomic.Uint64

// Lookup looks ip up in the current Set.
func (w *Watcher) Lookup(ip netip.Addr, t time.Time) (Entry, bool) {
	return w.cur.Load().Lookup(ip, t)
}

// Covers reports whether an entry of the current Set covers ip.
func (w *Watcher) Covers(ip netip.Addr) bool { return w.cur.Load().Covers(ip) }

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
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.files.Changed() {
		return false
	}
	w.files.Mark() // before reading, so a write during the load is seen next time
	s, err := Load(w.paths)
	if err != nil {
		w.log.Warn("ti reload, keeping previous feeds", "err", err)
		return false
	}
	w.swap(s)
	w.log.Info("ti reloaded", "prefixes", s.Len(), "skipped", s.Skipped())
	w.logSkipped(s)
	return true
}

func (w *Watcher) logSkipped(s *Set) {
	for _, st := range s.feeds {
		if st.Skipped > 0 {
			w.log.Warn("ti feed entries skipped", "feed", st.Feed, "skipped", st.Skipped, "first_bad", st.FirstBad)
		}
	}
}
