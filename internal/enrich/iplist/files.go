package iplist

import (
	"os"
	"slices"
)

// FileStamps notices that files changed by comparing their modification
// times and sizes with those recorded by the last Mark. A polling watcher
// calls Changed each tick and Mark just before it reads the files, so a
// write during the read is seen next time. It is not safe for concurrent
// use: watchers hold their reload lock around it.
type FileStamps struct {
	paths []string
	seen  []fileStamp
}

// fileStamp is one file's state. A file that cannot be stat'ed has a zero
// stamp with missing set.
type fileStamp struct {
	mod     int64 // UnixNano
	size    int64
	missing bool
}

// NewFileStamps watches paths; nothing is recorded until Mark, so Changed
// is true before it.
func NewFileStamps(paths []string) *FileStamps {
	return &FileStamps{paths: slices.Clone(paths)}
}

// Changed reports whether a file's size or modification time, or whether
// it exists, differs from the last Mark.
func (f *FileStamps) Changed() bool { return !slices.Equal(f.stamps(), f.seen) }

// Mark records the files as they are now.
func (f *FileStamps) Mark() { f.seen = f.stamps() }

func (f *FileStamps) stamps() []fileStamp {
	out := make([]fileStamp, len(f.paths))
	for i, p := range f.paths {
		fi, err := os.Stat(p)
		if err != nil {
			out[i].missing = true
			continue
		}
		out[i] = fileStamp{mod: fi.ModTime().UnixNano(), size: fi.Size()}
	}
	return out
}
