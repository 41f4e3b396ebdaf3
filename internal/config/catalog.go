package config

import (
	"github.com/vedette/vedette/internal/detect"
)

// Described is an activity detection and its default parameters (as
// named under detections.<detection> in the file).
type Described struct {
	Meta   detect.Meta
	Params map[string]any
}

// Catalog lists the activity detections, in a fixed order, with their
// default parameters.
func Catalog() []Described {
	d := Default().Detections
	maps := asMaps(d)
	var out []Described
	for _, det := range d.detectors() { // every detection is enabled by default
		m := det.Meta()
		params := map[string]any{}
		for k, v := range maps[detectionKeys[m.ID]] {
			if k != "enabled" {
				params[k] = v
			}
		}
		out = append(out, Described{Meta: m, Params: params})
	}
	return out
}
