package config

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vedette/vedette/internal/netdetect"
)

// networkKeys maps the network detections' IDs to their settings under
// network.detections: a service and a rule key, or "c2".
var networkKeys = map[string][2]string{
	"ssh-incoming-one-to-one": {"ssh", "incoming_one_to_one"}, "ssh-incoming-many-to-one": {"ssh", "incoming_many_to_one"},
	"ssh-outgoing-one-to-one": {"ssh", "outgoing_one_to_one"}, "ssh-outgoing-one-to-many": {"ssh", "outgoing_one_to_many"},
	"rdp-incoming-one-to-one": {"rdp", "incoming_one_to_one"}, "rdp-incoming-many-to-one": {"rdp", "incoming_many_to_one"},
	"rdp-outgoing-one-to-one": {"rdp", "outgoing_one_to_one"}, "rdp-outgoing-one-to-many": {"rdp", "outgoing_one_to_many"},
	"ssh-incoming-brute-force-success": {"ssh", "incoming_brute_force_success"},
	"network-communication-with-c2":    {"c2", ""},
}

// IsNetworkDetection reports whether id is a network detection, whose
// run-time overrides go to NetworkScopes.SetRuntime.
func IsNetworkDetection(id string) bool { _, ok := networkKeys[id]; return ok }

// networkNode is a run-time override as network.overrides would write it.
func (o *RuntimeOverride) networkNode() (*yaml.Node, error) {
	k, ok := networkKeys[o.Detection]
	if !ok {
		return nil, fmt.Errorf("unknown network detection %q", o.Detection)
	}
	var v any
	if k[0] == "c2" {
		if len(o.Params) > 0 || o.Enabled == nil {
			return nil, errors.New("network-communication-with-c2 takes enabled only")
		}
		v = map[string]any{"c2": *o.Enabled}
	} else {
		body := map[string]any{}
		for p, x := range o.Params {
			if p == "enabled" {
				return nil, errors.New(`"enabled" is not a parameter`)
			}
			body[p] = x
		}
		if o.Enabled != nil {
			body["enabled"] = *o.Enabled
		}
		v = map[string]any{k[0]: map[string]any{k[1]: body}}
	}
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	return &n, nil
}

// ValidateNetworkRuntime checks a network detection's override: known
// keys and types, valid values, nothing engine-wide.
func (n *Network) ValidateNetworkRuntime(o RuntimeOverride) error {
	if o.Subscription == "" {
		return errors.New(`subscription must be named ("*" for any)`)
	}
	node, err := o.networkNode()
	if err != nil {
		return err
	}
	d, err := decodeOver(n.Detections, node)
	if err != nil {
		return n.paramError(o, err)
	}
	if keys := n.Detections.EngineWideDiff(&d); len(keys) > 0 {
		return fmt.Errorf("%s apply to every flow before its host is known; set them in network.detections", strings.Join(keys, ", "))
	}
	return d.Validate()
}

// paramError names the parameter of o that err, its decoding error, is
// about: unknown ones with the detection's parameters, the others with
// yaml's complaint. err itself when no single parameter fails.
func (n *Network) paramError(o RuntimeOverride, err error) error {
	for _, p := range slices.Sorted(maps.Keys(o.Params)) {
		one := RuntimeOverride{Detection: o.Detection, Params: map[string]any{p: o.Params[p]}}
		node, nerr := one.networkNode()
		if nerr != nil {
			return nerr
		}
		_, perr := decodeOver(n.Detections, node)
		switch {
		case perr == nil:
			continue
		case strings.Contains(perr.Error(), " not found in type "):
			known := networkSettings(n.Detections)[o.Detection]
			delete(known, "enabled")
			return fmt.Errorf("unknown parameter %q (known: %s)", p, strings.Join(slices.Sorted(maps.Keys(known)), ", "))
		default:
			return fmt.Errorf("parameter %q: %s", p, reLine.ReplaceAllString(perr.Error(), ""))
		}
	}
	return err
}

// SetRuntime replaces the network detections' run-time overrides (by
// subscription, "*" for every subscription; the tenant is not known for a
// host and is ignored) and drops the resolved subscriptions: the next hour
// that closes uses them. Invalid ones are left out and reported.
func (s *NetworkScopes) SetRuntime(n *Network, overrides []RuntimeOverride) error {
	var errs []error
	var keep []runtimeNode
	for _, o := range overrides {
		if err := n.ValidateNetworkRuntime(o); err != nil {
			errs = append(errs, fmt.Errorf("setting %s/%s/%s: %w", o.Tenant, o.Subscription, o.Detection, err))
			continue
		}
		node, _ := o.networkNode()
		keep = append(keep, runtimeNode{o, node})
	}
	slices.SortStableFunc(keep, func(a, b runtimeNode) int {
		return cmp.Compare(a.o.specificity(), b.o.specificity()) // "*" first
	})
	s.mu.Lock()
	s.runtime = keep
	clear(s.cache)
	s.mu.Unlock()
	return errors.Join(errs...)
}

// RuntimeScopes is Scopes, never nil: the resolver run-time overrides can
// be added to later.
func (n *Network) RuntimeScopes() *NetworkScopes {
	return &NetworkScopes{base: n.Detections, overrides: n.Overrides, cache: map[string]*netdetect.Config{}}
}

// NetworkDetections lists the IDs of the network detections settings can
// name.
func NetworkDetections() []string { return slices.Sorted(maps.Keys(networkKeys)) }

// NetworkDefaults returns each network detection's default parameters
// (network.detections as shipped), "enabled" left out.
func NetworkDefaults() map[string]map[string]any {
	out := networkSettings(netdetect.DefaultConfig())
	for _, m := range out {
		delete(m, "enabled")
	}
	return out
}

// networkSettings renders c by detection ID, as network.overrides would
// write each one: its rule's keys, or {enabled} for the C2 switch.
func networkSettings(c netdetect.Config) map[string]map[string]any {
	var n yaml.Node
	var m map[string]any
	if n.Encode(c) != nil || n.Decode(&m) != nil {
		return nil
	}
	out := map[string]map[string]any{}
	for id, k := range networkKeys {
		if k[0] == "c2" {
			out[id] = map[string]any{"enabled": m["c2"]}
			continue
		}
		svc, _ := m[k[0]].(map[string]any)
		rule, _ := svc[k[1]].(map[string]any)
		out[id] = maps.Clone(rule)
	}
	return out
}

// EffectiveAll returns every network detection's settings for any
// subscription ("*"), then for each subscription network.overrides or a
// run-time override names, with each value's source as Scopes.Effective
// gives it. The tenant is always "*": network settings are per
// subscription.
func (s *NetworkScopes) EffectiveAll() []Effective {
	subs := []string{"*"}
	add := func(sub string) {
		if sub = strings.ToLower(strings.TrimSpace(sub)); sub != "" && !slices.Contains(subs, sub) {
			subs = append(subs, sub)
		}
	}
	for _, o := range s.overrides {
		add(o.Subscription)
	}
	s.mu.Lock()
	for _, r := range s.runtime {
		add(r.o.Subscription)
	}
	s.mu.Unlock()
	var out []Effective
	for _, sub := range subs {
		out = append(out, s.effective(sub)...)
	}
	return out
}

// effective is EffectiveAll for one subscription.
func (s *NetworkScopes) effective(sub string) []Effective {
	file := s.base
	for i := range s.overrides {
		if o := &s.overrides[i]; sub != "*" && strings.EqualFold(strings.TrimSpace(o.Subscription), sub) {
			file, _ = decodeOver(file, &o.Detections) // validated with the configuration
		}
	}
	api, named := file, map[string]map[string]bool{}
	s.mu.Lock()
	for _, r := range s.runtime {
		if r.o.Subscription != "*" && !strings.EqualFold(r.o.Subscription, sub) {
			continue
		}
		api, _ = decodeOver(api, r.n) // validated by SetRuntime
		markNamed(named, &r.o)
	}
	s.mu.Unlock()
	def, fl, ap := networkSettings(netdetect.DefaultConfig()), networkSettings(file), networkSettings(api)
	var out []Effective
	for _, id := range NetworkDetections() {
		out = append(out, effectiveRow("*", sub, id, ap[id], fl[id], def[id], named[id]))
	}
	return out
}
