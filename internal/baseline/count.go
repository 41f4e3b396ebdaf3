package baseline

// Principals returns how many principals are tracked across all tenants.
func (b *Baselines) Principals() int {
	n := 0
	for _, t := range b.tenants {
		n += len(t.Principals)
	}
	return n
}
