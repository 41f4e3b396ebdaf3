package config

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vedette/vedette/internal/detect"
)

// Scopes resolves which detections, with which settings, run for a tenant
// and subscription. Safe for concurrent use.
type Scopes struct {
	base      Detections
	overrides []Override

	mu      sync.Mutex
	cache   map[[2]string][]detect.Detector
	runtime []runtimeNode // run-time overrides, least specific first

	generation atomic.Uint64
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
	for _, r := range s.runtime {
		if r.o.matches(tenant, subscription) {
			// SetRuntime validated it over the base; this cannot fail.
			d, _ = d.apply(r.n)
		}
	}
	ds := d.detectors()
	s.cache[key] = ds
	return ds
}

// detectors lists the enabled detections, in a fixed order.
func (d Detections) detectors() []detect.Detector {
	var ds []detect.Detector
	ds = enabled(ds, d.ImpossibleTravel)
	ds = enabled(ds, d.InfrequentCountry)
	ds = enabled(ds, d.AnonymousIP)
	ds = enabled(ds, d.PasswordSpray)
	ds = enabled(ds, d.BruteForceSuccess)
	ds = enabled(ds, d.MaliciousIP)
	ds = enabled(ds, d.MassDeletion)
	ds = enabled(ds, d.MicroBurst)
	ds = enabled(ds, d.Azurite)
	ds = enabled(ds, d.InactiveAccount)
	ds = enabled(ds, d.PowerShellPersistence)
	return enabled(ds, d.PersistenceTechnique)
}

// enabled appends a copy of s's detector when s is enabled.
func enabled[T any, P interface {
	*T
	detect.Detector
}](ds []detect.Detector, s Switch[T]) []detect.Detector {
	if !s.Enabled {
		return ds
	}
	v := s.Settings
	return append(ds, P(&v))
}
