package config

import (
	"strings"
	"sync"

	"github.com/vedette/vedette/internal/detect"
)

// Scopes resolves which detections, with which settings, run for a tenant
// and subscription. Safe for concurrent use.
type Scopes struct {
	base      Detections
	overrides []Override

	mu    sync.Mutex
	cache map[[2]string][]detect.Detector
}

// Scopes returns the resolver for c. c must be valid.
func (c *Config) Scopes() *Scopes {
	return &Scopes{base: c.Detections, overrides: c.Overrides, cache: map[[2]string][]detect.Detector{}}
}

// Detectors returns the detections enabled for tenant and subscription, with
// every matching override applied in order.
func (s *Scopes) Detectors(tenant, subscription string) []detect.Detector {
	key := [2]string{strings.ToLower(tenant), strings.ToLower(subscription)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ds, ok := s.cache[key]; ok {
		return ds
	}
	d := s.base
	for i := range s.overrides {
		o := &s.overrides[i]
		if o.Tenant != "" && !strings.EqualFold(o.Tenant, tenant) {
			continue
		}
		if o.Subscription != "" && !strings.EqualFold(o.Subscription, subscription) {
			continue
		}
		// Validate applied every override already: this cannot fail.
		d, _ = d.apply(&o.Detections)
	}
	ds := d.detectors()
	s.cache[key] = ds
	return ds
}

// detectors lists the enabled detections, in a fixed order.
func (d Detections) detectors() []detect.Detector {
	var ds []detect.Detector
	if d.ImpossibleTravel.Enabled {
		it := d.ImpossibleTravel.Settings
		ds = append(ds, &it)
	}
	if d.InfrequentCountry.Enabled {
		ic := d.InfrequentCountry.Settings
		ds = append(ds, &ic)
	}
	if d.AnonymousIP.Enabled {
		ai := d.AnonymousIP.Settings
		ds = append(ds, &ai)
	}
	return append(ds, d.managementDetectors()...)
}

// managementDetectors lists the enabled management-layer detections.
func (d Detections) managementDetectors() []detect.Detector {
	var ds []detect.Detector
	if d.MicroBurst.Enabled {
		mb := d.MicroBurst.Settings
		ds = append(ds, &mb)
	}
	if d.Azurite.Enabled {
		az := d.Azurite.Settings
		ds = append(ds, &az)
	}
	if d.InactiveAccount.Enabled {
		ia := d.InactiveAccount.Settings
		ds = append(ds, &ia)
	}
	if d.PowerShellPersistence.Enabled {
		ps := d.PowerShellPersistence.Settings
		ds = append(ds, &ps)
	}
	if d.PersistenceTechnique.Enabled {
		pt := d.PersistenceTechnique.Settings
		ds = append(ds, &pt)
	}
	return ds
}
