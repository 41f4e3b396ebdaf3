package config

import (
	"cmp"
	"errors"
	"fmt"
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
		return err
	}
	if keys := n.Detections.EngineWideDiff(&d); len(keys) > 0 {
		return fmt.Errorf("%s apply to every flow before its host is known; set them in network.detections", strings.Join(keys, ", "))
	}
	return d.Validate()
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
