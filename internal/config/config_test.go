package config

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/detect"
)

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "detections:\n  impossible_travel:\n    max_sped_kmh: 900\n", "field max_sped_kmh not found"},
		{"wrong type", "detections:\n  impossible_travel:\n    max_speed_kmh: fast\n", "cannot unmarshal"},
		{"bad duration", "baseline:\n  window: 30d\n", "line 2: cannot unmarshal !!str `30d` into time.Duration"},
		{"short window", "baseline:\n  window: 1h\n", "baseline.window: 1h0m0s is shorter than a day"},
		{"threshold above exact range", "detections:\n  anonymous_ip:\n    org_common_principals: 50\n", "anonymous_ip.org_common_principals: 50 is outside 1..8"},
		{"negative speed", "detections:\n  impossible_travel:\n    max_speed_kmh: -1\n", "max_speed_kmh: must be positive"},
		{"list category", "lists:\n  - {path: x.txt, category: evil}\n", `lists[0].category: "evil" is not one of`},
		{"list path", "lists:\n  - {category: tor-exit}\n", "lists[0].path: must not be empty"},
		{"override without scope", "overrides:\n  - detections: {anonymous_ip: {enabled: false}}\n", "overrides[0]: needs a tenant or a subscription"},
		{"override typo", "overrides:\n  - tenant: t\n    detections: {anonymous_ip: {enable: false}}\n", "overrides[0].detections: "},
		{"override bad value", "overrides:\n  - tenant: t\n    detections: {impossible_travel: {max_speed_kmh: 0}}\n", "overrides[0].detections.impossible_travel.max_speed_kmh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(strings.NewReader(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEmptyIsDefault(t *testing.T) {
	cfg, err := Parse(strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Default(), cfg); diff != "" {
		t.Errorf("empty config differs from defaults (-want +got):\n%s", diff)
	}
}

func TestFullExampleAndOverrides(t *testing.T) {
	f, err := os.Open("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Baseline.Window != 720*time.Hour || len(cfg.Lists) != 2 {
		t.Errorf("window %s, %d lists", cfg.Baseline.Window, len(cfg.Lists))
	}
	const tenant, sub = "72F988BF-86F1-41AF-91AB-2D7CD011DB47", "0b1f6471-1bf0-4dda-aec3-111122223333"
	s := cfg.Scopes()
	tests := []struct {
		name        string
		tenant, sub string
		want        []string
		maxSpeedKmh float64
	}{
		{"other tenant: defaults", "other", "", []string{"impossible-travel", "infrequent-country", "anonymous-ip"}, 900},
		{"tenant override, case-insensitive", tenant, "", []string{"impossible-travel", "infrequent-country"}, 1200},
		{"both overrides on the subscription", tenant, sub, []string{"infrequent-country"}, 0},
	}
	for _, tt := range tests {
		ds := s.Detectors(tt.tenant, tt.sub)
		var ids []string
		speed := 0.0
		for _, d := range ds {
			ids = append(ids, d.Meta().ID)
			if it, ok := d.(*detect.ImpossibleTravel); ok {
				speed = it.MaxSpeedKmh
				if it.Learning != 168*time.Hour {
					t.Errorf("%s: override lost the base learning period: %s", tt.name, it.Learning)
				}
			}
		}
		if diff := cmp.Diff(tt.want, ids); diff != "" {
			t.Errorf("%s: detectors (-want +got):\n%s", tt.name, diff)
		}
		if speed != tt.maxSpeedKmh {
			t.Errorf("%s: max speed %v, want %v", tt.name, speed, tt.maxSpeedKmh)
		}
	}
}

func FuzzParse(f *testing.F) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add("overrides:\n  - tenant: t\n    detections: {impossible_travel: {max_speed_kmh: 1}}\n")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := Parse(strings.NewReader(s))
		if err == nil {
			cfg.Scopes().Detectors("t", "s")
		}
	})
}
