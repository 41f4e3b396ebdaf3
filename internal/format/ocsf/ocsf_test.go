package ocsf

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/format/formattest"
)

func TestFormatGolden(t *testing.T) {
	t.Parallel()
	formattest.GoldenJSON(t, Format)
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Every fixture finding conforms to the vendored OCSF 1.8.0 definitions.
func TestFindingsConformToSchema(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	class := resolveClass(t, "detection_finding")
	for _, c := range formattest.Changes(t) {
		b, _ := Format(c)
		m := decode(t, b)
		for _, e := range s.validate(t, "finding", class, m) {
			t.Errorf("seq %d: %s", c.Seq, e)
		}
		if got, want := m["type_uid"], m["class_uid"].(float64)*100+m["activity_id"].(float64); got != want {
			t.Errorf("seq %d: type_uid %v, want %v", c.Seq, got, want)
		}
	}
	wantType := map[string]float64{"created": 200401, "updated": 200402, "closed": 200403}
	for _, c := range formattest.Changes(t) {
		b, _ := Format(c)
		if got := decode(t, b)["type_uid"]; got != wantType[string(c.Kind)] {
			t.Errorf("seq %d (%s): type_uid %v", c.Seq, c.Kind, got)
		}
	}
}

// The validator is worth something only if it rejects what the schema
// forbids: an unknown attribute, a missing required one, an enum value
// outside the list, a wrong type deep inside an object.
func TestValidatorRejects(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	class := resolveClass(t, "detection_finding")
	b, _ := Format(formattest.Changes(t)[0])
	cases := map[string]struct {
		edit func(m map[string]any)
		want string
	}{
		"unknown attribute":         {func(m map[string]any) { m["alert_name"] = "x" }, "attribute alert_name not in"},
		"missing required":          {func(m map[string]any) { delete(m, "finding_info") }, "required attribute finding_info missing"},
		"nested required":           {func(m map[string]any) { delete(m["finding_info"].(map[string]any), "uid") }, "finding.finding_info: required attribute uid"},
		"enum out of range":         {func(m map[string]any) { m["severity_id"] = 7.0 }, "finding.severity_id: 7 is not a defined enum"},
		"status enum":               {func(m map[string]any) { m["status_id"] = 9.0 }, "finding.status_id: 9 is not"},
		"wrong type":                {func(m map[string]any) { m["time"] = "2026-11-30" }, "finding.time: 2026-11-30 is not a timestamp_t"},
		"deep wrong type":           {func(m map[string]any) { m["finding_info"].(map[string]any)["first_seen_time"] = true }, "first_seen_time: true is not"},
		"class of another category": {func(m map[string]any) { m["class_uid"] = 3002.0 }, "class_uid: 3002 is not"},
		"type of another activity":  {func(m map[string]any) { m["type_uid"] = 200404.0 }, "type_uid: 200404 is not"},
		"observable type":           {func(m map[string]any) { m["observables"].([]any)[0].(map[string]any)["type_id"] = 1000.0 }, "type_id: 1000 is not"},
		"deprecated": {func(m map[string]any) {
			m["evidences"].([]any)[0].(map[string]any)["src_endpoint"].(map[string]any)["location"].(map[string]any)["coordinates"] = []any{1.0, 2.0}
		}, "coordinates: deprecated"},
	}
	for name, tc := range cases {
		m := decode(t, b)
		tc.edit(m)
		errs := strings.Join(s.validate(t, "finding", class, m), "\n")
		if !strings.Contains(errs, tc.want) {
			t.Errorf("%s: want an error containing %q, got:\n%s", name, tc.want, errs)
		}
	}
}
