package config

import (
	"cmp"
	"errors"
	"fmt"
	"github.com/vedette/vedette/internal/store"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vedette/vedette/internal/detect"
)

// RuntimeOverride is a detection's setting changed at run time (through
// the API, persisted in the store), layered over the configuration file.
// Tenant and Subscription "*" match any.
type RuntimeOverride struct {
	Tenant, Subscription, Detection string
	Enabled                         *bool
	Params                          map[string]any // keys as under detections.<detection> in the file
}

// Setting sources, from the lowest layer to the highest.
const (
	SourceDefault = "default"
	SourceConfig  = "config"
	SourceAPI     = "api"
)

// detectionKeys maps detection IDs to their keys under `detections:`,
// read from the Detections struct itself (each field's YAML key and its
// detector's ID), so a new detection is settable at run time as soon as
// it is configurable.
var detectionKeys = func() map[string]string {
	keys := map[string]string{}
	v := reflect.ValueOf(Default().Detections)
	for i := range v.NumField() {
		tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
		settings := reflect.New(v.Field(i).FieldByName("Settings").Type())
		if d, ok := settings.Interface().(detect.Detector); ok && tag != "" {
			keys[d.Meta().ID] = tag
		}
	}
	return keys
}()

// ActivityDetections lists the IDs of the detections settings can name.
func ActivityDetections() []string {
	ids := make([]string, 0, len(detectionKeys))
	for id := range detectionKeys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// node is the override as the file would write it under `detections:`.
func (o *RuntimeOverride) node() (*yaml.Node, error) {
	key, ok := detectionKeys[o.Detection]
	if !ok {
		return nil, fmt.Errorf("unknown detection %q", o.Detection)
	}
	body := map[string]any{}
	for k, v := range o.Params {
		if k == "enabled" {
			return nil, errors.New(`"enabled" is not a parameter`)
		}
		body[k] = v
	}
	if o.Enabled != nil {
		body["enabled"] = *o.Enabled
	}
	var n yaml.Node
	if err := n.Encode(map[string]any{key: body}); err != nil {
		return nil, err
	}
	return &n, nil
}

func (o *RuntimeOverride) matches(tenant, subscription string) bool {
	return (o.Tenant == "*" || strings.EqualFold(o.Tenant, tenant)) &&
		(o.Subscription == "*" || strings.EqualFold(o.Subscription, subscription))
}

// specificity orders overrides: any tenant before one tenant, any
// subscription before one subscription; the more specific wins.
func (o *RuntimeOverride) specificity() int {
	n := 0
	if o.Tenant != "*" {
		n += 2
	}
	if o.Subscription != "*" {
		n++
	}
	return n
}

// ValidateRuntime checks an override against the configuration: a known
// detection, known parameters of the right types, values the file would
// accept.
func (c *Config) ValidateRuntime(o RuntimeOverride) error {
	if o.Tenant == "" || o.Subscription == "" {
		return errors.New(`tenant and subscription must be named ("*" for any)`)
	}
	n, err := o.node()
	if err != nil {
		return err
	}
	d, err := c.Detections.apply(n)
	if err != nil {
		return err
	}
	return errors.Join(d.validate("detections")...)
}

// SetRuntime replaces the run-time overrides (each checked with
// ValidateRuntime; invalid ones are left out and reported) and drops the
// resolved scopes, so the next Detectors call, and through Generation
// every pipeline, sees the change.
func (s *Scopes) SetRuntime(cfg *Config, overrides []RuntimeOverride) error {
	var errs []error
	var keep []runtimeNode
	for _, o := range overrides {
		if err := cfg.ValidateRuntime(o); err != nil {
			errs = append(errs, fmt.Errorf("setting %s/%s/%s: %w", o.Tenant, o.Subscription, o.Detection, err))
			continue
		}
		n, _ := o.node()
		keep = append(keep, runtimeNode{o, n})
	}
	slices.SortStableFunc(keep, func(a, b runtimeNode) int { return cmp.Compare(a.o.specificity(), b.o.specificity()) })
	s.mu.Lock()
	s.runtime = keep
	clear(s.cache)
	s.mu.Unlock()
	s.generation.Add(1)
	return errors.Join(errs...)
}

type runtimeNode struct {
	o RuntimeOverride
	n *yaml.Node
}

// Generation changes whenever the run-time overrides change: a caller
// caching Detectors results drops them when it differs.
func (s *Scopes) Generation() uint64 { return s.generation.Load() }

// Effective is one detection's settings in one scope, with the layer each
// value comes from.
type Effective struct {
	Tenant       string            `json:"tenant"`
	Subscription string            `json:"subscription"`
	Detection    string            `json:"detection"`
	Enabled      bool              `json:"enabled"`
	Params       map[string]any    `json:"params"`
	Source       map[string]string `json:"source"` // "enabled" and each param: default|config|api
}

// Effective returns every detection's settings for tenant and subscription
// ("*" for any): the defaults, then the file (detections and its matching
// overrides), then the matching run-time overrides. A value's source is
// api when a run-time override names it, config when the file made it
// differ from the default, default otherwise.
func (s *Scopes) Effective(tenant, subscription string) []Effective {
	file := s.fileLayer(tenant, subscription)
	s.mu.Lock()
	api := file
	named := map[string]map[string]bool{}
	for _, r := range s.runtime {
		if !r.o.matches(tenant, subscription) {
			continue
		}
		api, _ = api.apply(r.n)
		markNamed(named, &r.o)
	}
	s.mu.Unlock()
	def, fl, ap := asMaps(Default().Detections), asMaps(file), asMaps(api)
	var out []Effective
	for _, id := range ActivityDetections() {
		key := detectionKeys[id]
		out = append(out, effectiveRow(tenant, subscription, id, ap[key], fl[key], def[key], named[id]))
	}
	return out
}

// effectiveRow is one detection's effective settings in a scope: each
// value of the top layer (ap), with its source from the layers under it.
func effectiveRow(tenant, sub, id string, ap, fl, def map[string]any, named map[string]bool) Effective {
	e := Effective{Tenant: tenant, Subscription: sub, Detection: id, Params: map[string]any{}, Source: map[string]string{}}
	for k, v := range ap {
		e.Source[k] = source(named[k], fl[k], def[k])
		if k == "enabled" {
			e.Enabled, _ = v.(bool)
			continue
		}
		e.Params[k] = v
	}
	return e
}

// source is a value's layer: api when a run-time override names it,
// config when the file's value differs from the default's.
func source(named bool, file, def any) string {
	switch {
	case named:
		return SourceAPI
	case !reflect.DeepEqual(file, def):
		return SourceConfig
	}
	return SourceDefault
}

// fileLayer is what the configuration file alone gives the scope.
func (s *Scopes) fileLayer(tenant, subscription string) Detections {
	d := s.base
	for i := range s.overrides {
		o := &s.overrides[i]
		if o.Tenant != "" && !(tenant != "*" && strings.EqualFold(o.Tenant, tenant)) {
			continue
		}
		if o.Subscription != "" && !(subscription != "*" && strings.EqualFold(o.Subscription, subscription)) {
			continue
		}
		d, _ = d.apply(&o.Detections)
	}
	return d
}

// asMaps renders detections as the file would write them.
func asMaps(d Detections) map[string]map[string]any {
	var n yaml.Node
	var out map[string]map[string]any
	if n.Encode(d) != nil || n.Decode(&out) != nil {
		return nil
	}
	return out
}

// EffectiveAll is Effective for every scope a setting names: any tenant
// and subscription ("*", "*"), then each scope of the file's overrides and
// of the run-time overrides, in that order, each once.
func (s *Scopes) EffectiveAll() []Effective {
	scopes := [][2]string{{"*", "*"}}
	add := func(tenant, sub string) {
		k := [2]string{cmp.Or(strings.ToLower(tenant), "*"), cmp.Or(strings.ToLower(sub), "*")}
		if !slices.Contains(scopes, k) {
			scopes = append(scopes, k)
		}
	}
	for _, o := range s.overrides {
		add(o.Tenant, o.Subscription)
	}
	s.mu.Lock()
	for _, r := range s.runtime {
		add(r.o.Tenant, r.o.Subscription)
	}
	s.mu.Unlock()
	var out []Effective
	for _, k := range scopes {
		out = append(out, s.Effective(k[0], k[1])...)
	}
	return out
}

// SplitRuntime turns the overrides stored through the API into run-time
// overrides, split into the activity detections' and the network
// detections' (which resolve per subscription, NetworkScopes).
func SplitRuntime(stored []store.SettingOverride) (activity, network []RuntimeOverride) {
	for _, o := range stored {
		r := RuntimeOverride{Tenant: o.Tenant, Subscription: o.Subscription, Detection: o.Detection, Enabled: o.Enabled, Params: o.Params}
		if IsNetworkDetection(o.Detection) {
			network = append(network, r)
		} else {
			activity = append(activity, r)
		}
	}
	return activity, network
}

// markNamed records which values of its detection an override names, for
// the source of an effective value.
func markNamed(named map[string]map[string]bool, o *RuntimeOverride) {
	if named[o.Detection] == nil {
		named[o.Detection] = map[string]bool{}
	}
	for k := range o.Params {
		named[o.Detection][k] = true
	}
	if o.Enabled != nil {
		named[o.Detection]["enabled"] = true
	}
}
