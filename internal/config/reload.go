package config

// SetFile replaces the configuration file's layer (detections and
// overrides) after a reload, keeping the run-time overrides, and drops the
// resolved scopes: through Generation every pipeline sees the change from
// its next event. cfg must be valid; the caller then re-applies the
// run-time overrides with SetRuntime(cfg, ...) so they are checked against
// the new file layer.
func (s *Scopes) SetFile(cfg *Config) {
	s.mu.Lock()
	s.base, s.overrides = cfg.Detections, cfg.Overrides
	clear(s.cache)
	s.mu.Unlock()
	s.generation.Add(1)
}
