package config

import (
	"slices"
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
	layers  []Layer // run-time settings (API), over the overrides
	cache   map[[2]string][]detect.Detector
	version atomic.Uint64 // SetLayers calls
}

// Version counts the changes of the run-time settings: a cache of
// Detectors' answers is stale once it moves.
func (s *Scopes) Version() uint64 { return s.version.Load() }

// SetLayers replaces the run-time settings (from the API); the next event
// of every scope sees them.
func (s *Scopes) SetLayers(layers []Layer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.layers = slices.Clone(layers)
	clear(s.cache)
	s.version.Add(1)
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
	d := overridden(s.base, s.overrides, tenant, subscription)
	d = withLayers(d, s.layers, tenant, subscription)
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
