package detect

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	const op = "microsoft.authorization/roleassignments/write"
	tests := []struct {
		pattern string
		want    bool
	}{
		{"*", true}, {"microsoft.authorization/*", true}, {"*/write", true}, {"microsoft.*/roleassignments/*", true},
		{op, true}, {"microsoft.authorization/roleassignments/read", false}, {"microsoft.compute/*", false},
		{"*/read", false}, {"", false}, {"**", true},
		{"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", false}, // linear, not exponential
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, op); got != tt.want {
			t.Errorf("globMatch(%q) = %v", tt.pattern, got)
		}
	}
}

func TestRoleBreadth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		factors    []string
		ok         bool
	}{
		{"absent", "", nil, false},
		{"truncated", `{"properties":{"permissions":[{"actions":["*"`, nil, false},
		{"owner-like", `{"properties":{"permissions":[{"actions":["*"]}]}}`, []string{"wildcard-actions", "role-assignment-rights", "elevate-access-rights"}, true},
		{"contributor-like", `{"properties":{"permissions":[{"actions":["*"],"notActions":["Microsoft.Authorization/*/Write","Microsoft.Authorization/elevateAccess/Action"]}]}}`, []string{"wildcard-actions"}, true},
		{"assignment rights only", `{"properties":{"permissions":[{"actions":["Microsoft.Authorization/roleAssignments/write"]}]}}`, []string{"role-assignment-rights"}, true},
		{"unwrapped, data wildcard", `{"roleName":"x","permissions":[{"actions":["Microsoft.Storage/*/read"],"dataActions":["*"]}]}`, []string{"wildcard-data-actions"}, true},
		{"narrow", `{"properties":{"permissions":[{"actions":["Microsoft.Compute/virtualMachines/start/action"]}]}}`, nil, true},
	}
	for _, tt := range tests {
		factors, _, ok := roleBreadth(tt.body)
		var names []string
		for _, f := range factors {
			names = append(names, f.Name)
		}
		if ok != tt.ok || !cmp.Equal(names, tt.factors) {
			t.Errorf("%s: factors %v ok %v; want %v %v", tt.name, names, ok, tt.factors, tt.ok)
		}
	}
}

// TestPersistenceTechniqueSeverity: broad role definitions and tier-zero
// directory roles are high; other alerts keep the detection's medium.
func TestPersistenceTechniqueSeverity(t *testing.T) {
	t.Parallel()
	d := DefaultPersistenceTechnique()
	at := time.Date(2026, 3, 2, 21, 0, 0, 0, time.UTC)
	mk := func(kind event.Kind, op, detail string) *event.Event {
		return &event.Event{Key: "k", Kind: kind, Time: at, Principal: "a@contoso.com", PrincipalKind: event.PrincipalUser,
			Result: event.ResultSuccess, Operation: op, Resource: "r", Detail: detail}
	}
	tests := []struct {
		name string
		e    *event.Event
		want event.Severity
	}{
		{"global admin", mk(event.KindDirectory, "Add member to role", "Global Administrator"), event.SeverityHigh},
		{"app admin", mk(event.KindDirectory, "Add member to role", "Application Administrator"), event.SeverityMedium},
		{"sp credential", mk(event.KindDirectory, "Add service principal credentials", ""), event.SeverityMedium},
		{"broad definition", mk(event.KindManagement, roleDefinitionWrite, `{"properties":{"permissions":[{"actions":["*"]}]}}`), event.SeverityHigh},
		{"no body", mk(event.KindManagement, roleDefinitionWrite, ""), event.SeverityMedium},
	}
	for _, tt := range tests {
		alerts := d.Detect(&Input{Event: tt.e})
		if len(alerts) != 1 || alerts[0].Severity != tt.want {
			t.Errorf("%s: %d alerts %+v, want severity %v", tt.name, len(alerts), alerts, tt.want)
		}
	}
}
