package baseline

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"maps"
)

// MarshalTenants serializes each tenant's baselines on its own (the store
// keeps one row per tenant, so a tenant can be moved or dropped alone).
// Each part is a MarshalBinary snapshot of that one tenant.
func (b *Baselines) MarshalTenants() (map[string][]byte, error) {
	parts := make(map[string][]byte, len(b.tenants))
	for id, t := range b.tenants {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(snapshot{Version: snapshotVersion, Tenants: map[string]*Tenant{id: t}}); err != nil {
			return nil, fmt.Errorf("baseline: encode tenant %q: %w", id, err)
		}
		parts[id] = buf.Bytes()
	}
	return parts, nil
}

// UnmarshalTenants restores baselines from MarshalTenants parts (or
// MarshalBinary snapshots: each part may hold several tenants).
func (b *Baselines) UnmarshalTenants(parts map[string][]byte) error {
	all := map[string]*Tenant{}
	for part, data := range parts {
		tenants, err := decodeSnapshot(data)
		if err != nil {
			return fmt.Errorf("tenant %q: %w", part, err)
		}
		maps.Copy(all, tenants)
	}
	b.restore(all)
	return nil
}
