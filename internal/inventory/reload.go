package inventory

// ReloadFile replaces the file mappings with those of the CSV file at path
// (none when path is empty) and returns how many IPs it maps. What was
// learned from flow logs is kept. On error nothing changes. Readers see
// the old mappings or the new ones, never a mix.
func (inv *Inventory) ReloadFile(path string) (int, error) {
	fresh := New(0)
	if path != "" {
		var err error
		if fresh, err = Load(path); err != nil {
			return 0, err
		}
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.static = fresh.static
	return len(fresh.static), nil
}
