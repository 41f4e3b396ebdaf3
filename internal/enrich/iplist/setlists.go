package iplist

import "slices"

// SetLists replaces the configured lists (a configuration reload) and
// loads them. On error the current lists stay in force.
func (w *Watcher) SetLists(lists []ListConfig) error {
	paths := make([]string, len(lists))
	for i, lc := range lists {
		paths[i] = lc.Path
	}
	files := NewFileStamps(paths)
	files.Mark()
	s, err := Load(lists)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lists, w.files = slices.Clone(lists), files
	w.swap(s)
	return nil
}
