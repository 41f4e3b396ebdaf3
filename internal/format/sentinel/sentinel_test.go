package sentinel

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"

	"github.com/vedette/vedette/internal/format/formattest"
)

func TestFormatGolden(t *testing.T) {
	t.Parallel()
	formattest.GoldenJSON(t, Format)
}

// The record has SecurityAlert's columns with their value types, and every
// entity carries a unique "$id" and a Sentinel entity Type with that type's
// identifying field.
func TestSecurityAlertShape(t *testing.T) {
	t.Parallel()
	columns := map[string]string{
		"TimeGenerated": "string", "AlertName": "string", "DisplayName": "string", "AlertType": "string",
		"AlertSeverity": "string", "Description": "string", "ProviderName": "string", "VendorName": "string",
		"ProductName": "string", "SystemAlertId": "string", "VendorOriginalId": "string",
		"ConfidenceScore": "number", "ConfidenceLevel": "string", "Status": "string",
		"CompromisedEntity": "string", "StartTime": "string", "EndTime": "string", "Tactics": "string",
		"Techniques": "array", "SubTechniques": "array", "Entities": "array",
		"ExtendedProperties": "object", "RemediationSteps": "array",
	}
	identity := map[string]string{"account": "Name", "ip": "Address", "host": "HostName", "azure-resource": "ResourceId"}
	severities := map[string]bool{"High": true, "Medium": true, "Low": true, "Informational": true}
	statuses := map[string]bool{"New": true, "InProgress": true, "Resolved": true, "Dismissed": true}
	technique := regexp.MustCompile(`^T\d{4}$`)
	for _, c := range formattest.Changes(t) {
		b, _ := Format(c)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for col, kind := range columns {
			if got := kindOf(m[col]); got != kind {
				t.Errorf("seq %d: %s is %s, want %s", c.Seq, col, got, kind)
			}
		}
		if len(m) != len(columns) {
			t.Errorf("seq %d: %d columns, want %d", c.Seq, len(m), len(columns))
		}
		if !severities[m["AlertSeverity"].(string)] || !statuses[m["Status"].(string)] {
			t.Errorf("seq %d: severity %v status %v", c.Seq, m["AlertSeverity"], m["Status"])
		}
		for _, tech := range m["Techniques"].([]any) {
			if !technique.MatchString(tech.(string)) {
				t.Errorf("seq %d: technique %v", c.Seq, tech)
			}
		}
		ids := map[string]bool{}
		for _, e := range m["Entities"].([]any) {
			ent := e.(map[string]any)
			id, _ := ent["$id"].(string)
			field, known := identity[fmt.Sprint(ent["Type"])]
			if id == "" || ids[id] || !known || ent[field] == nil {
				t.Errorf("seq %d: bad entity %v", c.Seq, ent)
			}
			ids[id] = true
		}
		if m["CompromisedEntity"] != c.Alert.Principal {
			t.Errorf("seq %d: CompromisedEntity %v", c.Seq, m["CompromisedEntity"])
		}
	}
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
