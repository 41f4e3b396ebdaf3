// Package file delivers findings as JSON lines appended to a file, synced to
// disk before a batch counts as delivered, and rotated by size and by age:
// the full file is renamed PATH.YYYYMMDDTHHMMSS.sssZ and a new one started.
package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/format"
	"github.com/vedette/vedette/internal/notify"
)

// Config of a file output.
type Config struct {
	Path string `yaml:"path"`
	// MaxSizeMB rotates the file before a write would take it past this
	// size; 0 (the default) never rotates by size.
	MaxSizeMB int `yaml:"max_size_mb"`
	// MaxAge rotates a file this old (since this process started it, or
	// since its last change when it already existed); 0 (the default) never.
	MaxAge time.Duration `yaml:"max_age"`
	// MaxBackups keeps this many rotated files, deleting the oldest; 0 keeps all.
	MaxBackups int `yaml:"max_backups"`
}

// Validate checks c without touching the file system.
func (c Config) Validate() error {
	switch {
	case c.Path == "":
		return errors.New("file: path is required")
	case c.MaxSizeMB < 0 || c.MaxAge < 0 || c.MaxBackups < 0:
		return errors.New("file: max_size_mb, max_age and max_backups cannot be negative")
	}
	return nil
}

// Notifier appends to the file. Safe for use by one delivery loop.
type Notifier struct {
	cfg     Config
	format  format.Func
	now     func() time.Time
	mu      sync.Mutex
	f       *os.File
	size    int64
	started time.Time
}

// New opens (creating) the file. now is the clock for rotation; nil means
// time.Now.
func New(cfg Config, f format.Func, now func() time.Time) (*Notifier, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	n := &Notifier{cfg: cfg, format: f, now: now}
	if err := n.open(); err != nil {
		return nil, err
	}
	return n, nil
}

func (n *Notifier) open() error {
	f, err := os.OpenFile(n.cfg.Path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("file: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("file: %w", err)
	}
	n.f, n.size, n.started = f, st.Size(), n.now()
	if st.Size() > 0 {
		n.started = st.ModTime()
	}
	return nil
}

// Notify appends the batch and syncs it.
func (n *Notifier) Notify(_ context.Context, changes []event.Change) (bool, error) {
	b, err := notify.Lines(changes, n.format)
	if err != nil {
		return false, fmt.Errorf("file: %w", err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.f == nil {
		if err := n.open(); err != nil {
			return true, err
		}
	}
	if n.due(int64(len(b))) {
		if err := n.rotate(); err != nil {
			return true, err
		}
	}
	if _, err := n.f.Write(b); err != nil {
		return true, fmt.Errorf("file: write %s: %w", n.cfg.Path, err)
	}
	n.size += int64(len(b))
	if err := n.f.Sync(); err != nil {
		return true, fmt.Errorf("file: sync %s: %w", n.cfg.Path, err)
	}
	return false, nil
}

// due reports whether the file must rotate before writing more bytes. An
// empty file is never rotated, so a batch larger than the limit still lands.
func (n *Notifier) due(more int64) bool {
	if n.size == 0 {
		return false
	}
	bySize := n.cfg.MaxSizeMB > 0 && n.size+more > int64(n.cfg.MaxSizeMB)<<20
	byAge := n.cfg.MaxAge > 0 && n.now().Sub(n.started) >= n.cfg.MaxAge
	return bySize || byAge
}

func (n *Notifier) rotate() error {
	if err := n.f.Close(); err != nil {
		return fmt.Errorf("file: close %s: %w", n.cfg.Path, err)
	}
	n.f = nil
	backup := n.cfg.Path + "." + n.now().UTC().Format("20060102T150405.000Z")
	if err := os.Rename(n.cfg.Path, backup); err != nil {
		return fmt.Errorf("file: rotate %s: %w", n.cfg.Path, err)
	}
	if err := n.prune(); err != nil {
		return err
	}
	return n.open()
}

// prune deletes the oldest rotated files beyond MaxBackups. Rotated names
// sort by time.
func (n *Notifier) prune() error {
	if n.cfg.MaxBackups == 0 {
		return nil
	}
	matches, err := filepath.Glob(n.cfg.Path + ".*")
	if err != nil {
		return fmt.Errorf("file: %w", err)
	}
	matches = slices.DeleteFunc(matches, func(m string) bool {
		_, err := time.Parse("20060102T150405.000Z", strings.TrimPrefix(m, n.cfg.Path+"."))
		return err != nil
	})
	slices.Sort(matches)
	for len(matches) > n.cfg.MaxBackups {
		if err := os.Remove(matches[0]); err != nil {
			return fmt.Errorf("file: prune: %w", err)
		}
		matches = matches[1:]
	}
	return nil
}

// Close closes the file.
func (n *Notifier) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.f == nil {
		return nil
	}
	err := n.f.Close()
	n.f = nil
	return err
}
