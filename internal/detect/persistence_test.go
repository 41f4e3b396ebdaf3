package detect

import (
	"regexp"
	"strings"
	"testing"
)

func TestPersistenceCatalogue(t *testing.T) {
	t.Parallel()
	kebab := regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)
	mitre := regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	seen := map[string]bool{}
	techniques := map[string]bool{}
	for _, a := range PersistenceCatalogue() {
		key := strings.ToLower(a.Operation)
		if seen[key] {
			t.Errorf("%q listed twice", a.Operation)
		}
		seen[key] = true
		techniques[a.Technique] = true
		if !kebab.MatchString(a.Technique) || !mitre.MatchString(a.MITRE) || a.Why == "" {
			t.Errorf("%q: technique %q, MITRE %q, why %q", a.Operation, a.Technique, a.MITRE, a.Why)
		}
		switch a.Source {
		case SourceARM:
			// The Activity Log records writes, deletes and actions only: a
			// read here could never match.
			if a.Operation != key || !(strings.HasSuffix(key, "/write") || strings.HasSuffix(key, "/action") || strings.HasSuffix(key, "/delete")) {
				t.Errorf("%q: not a lower-case ARM write, delete or action", a.Operation)
			}
		case SourceEntraAudit:
		default:
			t.Errorf("%q: source %q", a.Operation, a.Source)
		}
	}
	// The list: role assignments and definitions, VM extensions and
	// run-command, runbooks and webhooks, service principal and app
	// credentials, key vault access policies, new users and guests.
	for _, want := range []string{"role-assignment", "custom-role", "vm-extension", "run-command", "automation-runbook",
		"automation-webhook", "sp-credential", "app-credential", "key-vault-access-policy", "new-user", "guest-user"} {
		if !techniques[want] {
			t.Errorf("technique %q missing from the catalogue", want)
		}
	}
}

func TestPersistenceLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		op, technique string
	}{
		{"Microsoft.Authorization/roleAssignments/write", "role-assignment"},
		{"microsoft.compute/virtualmachines/runcommand/action", "run-command"},
		{"MICROSOFT.AUTOMATION/AUTOMATIONACCOUNTS/WEBHOOKS/WRITE", "automation-webhook"},
		{"Add service principal credentials", "sp-credential"},
		{"Update application – Certificates and secrets management ", "app-credential"}, // as Entra writes it
		{"Update application", ""},
		{"microsoft.compute/virtualmachines/write", ""},
		{"microsoft.storage/storageaccounts/listkeys/action", ""}, // credential access, not persistence
		{"microsoft.authorization/roleassignments/delete", ""},
	}
	for _, tt := range tests {
		a, ok := Persistence(tt.op)
		if ok != (tt.technique != "") || a.Technique != tt.technique {
			t.Errorf("Persistence(%q) = %q, %v; want %q", tt.op, a.Technique, ok, tt.technique)
		}
	}
}

func TestMicroBurstOperationsAreLogged(t *testing.T) {
	t.Parallel()
	for op := range credentialKinds {
		if op != strings.ToLower(op) || !(strings.HasSuffix(op, "/action") || strings.HasSuffix(op, "/write")) {
			t.Errorf("%q: the Activity Log would not record it in this form", op)
		}
	}
	for _, op := range runbookCycle {
		if op != strings.ToLower(op) {
			t.Errorf("%q: not lower case", op)
		}
	}
}
