package normalize

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/event"
)

// TestRoleDefinitionBody: a role definition write keeps its request body
// (diagnostic settings and REST shapes), other operations keep none, and a
// body over event.MaxDetail is dropped rather than cut into invalid JSON.
func TestRoleDefinitionBody(t *testing.T) {
	t.Parallel()
	c, _, err := readAll(t, filepath.Join("testdata", "activity-roledef.json"))
	if err != nil || len(c.events) != 2 || len(c.rejections) != 0 {
		t.Fatalf("err %v, %d events, rejections %v", err, len(c.events), c.rejections)
	}
	for i, wantAction := range []string{"Microsoft.Authorization/*", "Microsoft.Compute/virtualMachines/restart/action"} {
		e := c.events[i]
		var def struct {
			Properties struct {
				Permissions []struct{ Actions []string }
			}
		}
		if err := json.Unmarshal([]byte(e.Detail), &def); err != nil || e.Operation != roleDefinitionWrite ||
			len(def.Properties.Permissions) != 1 || !strings.Contains(strings.Join(def.Properties.Permissions[0].Actions, " "), wantAction) {
			t.Errorf("event %d: op %s detail %q (%v)", i, e.Operation, e.Detail, err)
		}
	}

	const body = `{\"properties\":{\"roleName\":\"x\",\"permissions\":[{\"actions\":[\"*\"]}]}}`
	rest := `{"eventTimestamp":"2024-03-12T22:40:05.2Z","eventDataId":"e1","operationName":{"value":"Microsoft.Authorization/roleDefinitions/write"},` +
		`"caller":"a@contoso.com","status":{"value":"Succeeded"},"resourceId":"/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/d",` +
		`"properties":{"statusCode":"Created","requestbody":"","responseBody":"` + body + `"}}`
	other := strings.Replace(rest, "roleDefinitions/write", "roleAssignments/write", 1)
	huge := strings.Replace(rest, `\"x\"`, `\"`+strings.Repeat("x", event.MaxDetail)+`\"`, 1)
	for _, tt := range []struct{ rec, want string }{
		{rest, strings.ReplaceAll(body, `\"`, `"`)}, // the response body when the request body is empty
		{other, ""},
		{huge, ""},
	} {
		c := &collector{}
		if _, err := Read("t", strings.NewReader(tt.rec), c); err != nil || len(c.events) != 1 {
			t.Fatalf("err %v, rejections %v", err, c.rejections)
		}
		if got := c.events[0].Detail; got != tt.want {
			t.Errorf("detail %.80q, want %.80q", got, tt.want)
		}
	}
}
