package config

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/vedette/vedette/internal/detect"
)

// Where a setting's value comes from.
const (
	SourceDefault = "default"
	SourceConfig  = "config"
	SourceAPI     = "api"
)

// Layer is a detection setting changed at run time (through the API),
// applied over the configuration file for its scope. Tenant "*" is every
// tenant, Subscription "*" the whole tenant.
type Layer struct {
	Tenant, Subscription, Detection string
	Enabled                         *bool
	Params                          map[string]any
}

// Setting is a detection's effective settings in one scope, and where
// each value comes from ("enabled" and each parameter).
type Setting struct {
	Tenant       string            `json:"tenant"`
	Subscription string            `json:"subscription"`
	Detection    string            `json:"detection"`
	Enabled      bool              `json:"enabled"`
	Params       map[string]any    `json:"params"`
	Source       map[string]string `json:"source"`
}

// detectionField is one activity detection's place in Detections.
type detectionField struct {
	id, key string // detection ID (alerts, API) and YAML key (config)
	index   int
}

// detectionFields lists the activity detections in field order.
func detectionFields() []detectionField {
	t := reflect.TypeFor[Detections]()
	var out []detectionField
	var d Detections
	v := reflect.ValueOf(&d).Elem()
	for i := range t.NumField() {
		key := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		det := v.Field(i).FieldByName("Settings").Addr().Interface().(detect.Detector)
		out = append(out, detectionField{id: det.Meta().ID, key: key, index: i})
	}
	return out
}

// DetectionIDs lists the activity detections' IDs in a fixed order.
func DetectionIDs() []string {
	var ids []string
	for _, f := range detectionFields() {
		ids = append(ids, f.id)
	}
	return ids
}

// view returns the switch and the parameters of detection f in d.
func (d Detections) view(f detectionField) (bool, map[string]any) {
	sw := reflect.ValueOf(d).Field(f.index)
	b, err := yaml.Marshal(sw.FieldByName("Settings").Interface())
	params := map[string]any{}
	if err == nil {
		_ = yaml.Unmarshal(b, &params)
	}
	return sw.FieldByName("Enabled").Bool(), params
}

// Described is an activity detection and its default parameters.
type Described struct {
	Meta   detect.Meta
	Params map[string]any
}

// Catalog lists the activity detections with their default parameters.
func Catalog() []Described {
	var out []Described
	d := Default().Detections
	v := reflect.ValueOf(&d).Elem()
	for _, f := range detectionFields() {
		det := v.Field(f.index).FieldByName("Settings").Addr().Interface().(detect.Detector)
		_, params := d.view(f)
		out = append(out, Described{Meta: det.Meta(), Params: params})
	}
	return out
}

// CheckLayer reports whether l names a known detection and parameters it
// has, with values that decode and validate.
func (c *Config) CheckLayer(l Layer) error {
	if l.Tenant == "" || l.Subscription == "" {
		return fmt.Errorf("tenant and subscription must be set (\"*\" for all)")
	}
	d, err := c.Detections.applyLayer(l)
	if err != nil {
		return err
	}
	if errs := d.validate(l.Detection); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// applyLayer decodes l over a copy of d.
func (d Detections) applyLayer(l Layer) (Detections, error) {
	i := slices.IndexFunc(detectionFields(), func(f detectionField) bool { return f.id == l.Detection })
	if i < 0 {
		return d, fmt.Errorf("unknown detection %q", l.Detection)
	}
	body := map[string]any{}
	maps.Copy(body, l.Params)
	if _, ok := body["enabled"]; ok {
		return d, fmt.Errorf("%s: \"enabled\" is not a parameter", l.Detection)
	}
	if l.Enabled != nil {
		body["enabled"] = *l.Enabled
	}
	var node yaml.Node
	if err := node.Encode(map[string]any{detectionFields()[i].key: body}); err != nil {
		return d, err
	}
	out, err := d.apply(&node)
	if err != nil {
		return d, fmt.Errorf("%s: %w", l.Detection, err)
	}
	return out, nil
}

// layersFor returns the layers that apply to tenant and subscription, the
// broader first: every tenant, the tenant, the subscription.
func layersFor(layers []Layer, tenant, subscription string) []Layer {
	var out []Layer
	for rank := range 3 {
		for _, l := range layers {
			if layerRank(l, tenant, subscription) == rank {
				out = append(out, l)
			}
		}
	}
	return out
}

// layerRank is 0, 1 or 2 for a layer on every tenant, on the tenant or on
// the subscription, and -1 for one that does not apply.
func layerRank(l Layer, tenant, subscription string) int {
	switch {
	case l.Tenant != "*" && !strings.EqualFold(l.Tenant, tenant):
		return -1
	case l.Subscription == "*":
		if l.Tenant == "*" {
			return 0
		}
		return 1
	case strings.EqualFold(l.Subscription, subscription):
		return 2
	}
	return -1
}

// configured returns the detections of the configuration file for tenant
// and subscription ("*": none in particular).
func (c *Config) configured(tenant, subscription string) Detections {
	return overridden(c.Detections, c.Overrides, tenant, subscription)
}

// overridden applies, in order, every override matching tenant and
// subscription over d.
func overridden(d Detections, overrides []Override, tenant, subscription string) Detections {
	for i := range overrides {
		o := &overrides[i]
		if o.Tenant != "" && !strings.EqualFold(o.Tenant, tenant) {
			continue
		}
		if o.Subscription != "" && !strings.EqualFold(o.Subscription, subscription) {
			continue
		}
		d, _ = d.apply(&o.Detections) // Validate applied every override already
	}
	return d
}

// withLayers applies the layers for tenant and subscription over d. A
// layer that no longer applies (a detection since renamed) is skipped.
func withLayers(d Detections, layers []Layer, tenant, subscription string) Detections {
	for _, l := range layersFor(layers, tenant, subscription) {
		if out, err := d.applyLayer(l); err == nil {
			d = out
		}
	}
	return d
}

// Effective returns the effective settings of every activity detection in
// every scope the configuration or the layers name (and "*"/"*", the
// defaults for all), sorted by scope then detection.
func (c *Config) Effective(layers []Layer) []Setting {
	scopes := map[[2]string]bool{{"*", "*"}: true}
	for _, o := range c.Overrides {
		scopes[[2]string{star(o.Tenant), star(o.Subscription)}] = true
	}
	for _, l := range layers {
		scopes[[2]string{l.Tenant, l.Subscription}] = true
	}
	def := Default().Detections
	var out []Setting
	for _, sc := range slices.SortedFunc(maps.Keys(scopes), compareScope) {
		conf := c.configured(sc[0], sc[1])
		eff := withLayers(conf, layers, sc[0], sc[1])
		set := layersFor(layers, sc[0], sc[1])
		for _, f := range detectionFields() {
			out = append(out, setting(sc, f, def, conf, eff, set))
		}
	}
	return out
}

func setting(sc [2]string, f detectionField, def, conf, eff Detections, layers []Layer) Setting {
	dOn, dp := def.view(f)
	cOn, cp := conf.view(f)
	on, params := eff.view(f)
	s := Setting{Tenant: sc[0], Subscription: sc[1], Detection: f.id, Enabled: on, Params: params, Source: map[string]string{}}
	fromAPI := map[string]bool{}
	for _, l := range layers {
		if l.Detection != f.id {
			continue
		}
		fromAPI["enabled"] = fromAPI["enabled"] || l.Enabled != nil
		for k := range l.Params {
			fromAPI[k] = true
		}
	}
	source := func(k string, d, c any) string {
		switch {
		case fromAPI[k]:
			return SourceAPI
		case !reflect.DeepEqual(d, c):
			return SourceConfig
		}
		return SourceDefault
	}
	s.Source["enabled"] = source("enabled", dOn, cOn)
	for k := range params {
		s.Source[k] = source(k, dp[k], cp[k])
	}
	return s
}

func star(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// compareScope orders "*" first, then by tenant and subscription.
func compareScope(a, b [2]string) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] == "*" {
				return -1
			}
			if b[i] == "*" {
				return 1
			}
			return strings.Compare(a[i], b[i])
		}
	}
	return 0
}
