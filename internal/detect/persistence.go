package detect

import (
	"slices"
	"strings"

	"github.com/vedette/vedette/internal/event"
)

// PersistenceAction is one operation an attacker uses to keep access to an
// Azure estate after the credentials that got them in are revoked. The
// management detections share this catalogue: an inactive account or a
// first-time PowerShell user is only alerted on when it performs one.
type PersistenceAction struct {
	// Operation is the lower-case ARM operation (operationName value) or,
	// for Source "entra-audit", the Entra audit activity display name.
	Operation string
	Source    string // "arm" or "entra-audit"
	Technique string // short kebab-case name, shown in alerts
	MITRE     string // ATT&CK technique ID
	Why       string // what it gives the attacker
}

// Sources of persistence actions.
const (
	SourceARM        = "arm"
	SourceEntraAudit = "entra-audit"
)

// persistenceCatalogue is ordered by technique. The Activity Log records
// writes, deletes and actions: every ARM entry here is one of those, so it
// appears in the log whoever performs it.
var persistenceCatalogue = []PersistenceAction{
	{"microsoft.authorization/roleassignments/write", SourceARM, "role-assignment", "T1098.003", "grants an identity the attacker controls a role, surviving a password reset of the account used"},
	{"microsoft.authorization/roledefinitions/write", SourceARM, "custom-role", "T1098.003", "creates or widens a custom role, which can hide broad rights behind an innocuous name"},
	{"microsoft.authorization/elevateaccess/action", SourceARM, "elevate-access", "T1098.003", "a Global Administrator takes User Access Administrator over every subscription"},
	{"microsoft.compute/virtualmachines/extensions/write", SourceARM, "vm-extension", "T1505", "installs an extension (custom script, DSC) that runs attacker code as SYSTEM or root"},
	{"microsoft.compute/virtualmachinescalesets/extensions/write", SourceARM, "vm-extension", "T1505", "installs an extension on every instance of a scale set"},
	{"microsoft.compute/virtualmachines/runcommand/action", SourceARM, "run-command", "T1651", "runs a script on a VM as SYSTEM or root through the guest agent"},
	{"microsoft.compute/virtualmachines/runcommands/write", SourceARM, "run-command", "T1651", "creates a managed run command, kept and re-runnable on the VM"},
	{"microsoft.automation/automationaccounts/runbooks/write", SourceARM, "automation-runbook", "T1053", "creates or changes a runbook, code that runs with the automation account's identity"},
	{"microsoft.automation/automationaccounts/runbooks/draft/write", SourceARM, "automation-runbook", "T1053", "changes a runbook's draft"},
	{"microsoft.automation/automationaccounts/runbooks/publish/action", SourceARM, "automation-runbook", "T1053", "publishes a runbook so it can be started by schedule or webhook"},
	{"microsoft.automation/automationaccounts/webhooks/write", SourceARM, "automation-webhook", "T1053", "creates a webhook: an unauthenticated URL that starts a runbook (e.g. one that creates a user and grants Owner)"},
	{"microsoft.automation/automationaccounts/schedules/write", SourceARM, "automation-schedule", "T1053", "schedules runbooks"},
	{"microsoft.automation/automationaccounts/jobschedules/write", SourceARM, "automation-schedule", "T1053", "links a runbook to a schedule"},
	{"microsoft.keyvault/vaults/accesspolicies/write", SourceARM, "key-vault-access-policy", "T1098", "grants an identity access to a vault's secrets, keys or certificates"},
	{"microsoft.managedidentity/userassignedidentities/write", SourceARM, "managed-identity", "T1098.001", "creates a managed identity that can be attached to resources the attacker controls"},
	{"microsoft.managedidentity/userassignedidentities/federatedidentitycredentials/write", SourceARM, "federated-credential", "T1098.001", "lets an external identity provider's tokens act as the managed identity"},
	{"microsoft.logic/workflows/write", SourceARM, "logic-app", "T1053", "creates or changes a Logic App, which can run with a managed identity on a trigger"},
	{"microsoft.web/sites/functions/write", SourceARM, "function", "T1505.003", "deploys a function: code reachable over HTTP that runs with the app's identity"},
	{"microsoft.apimanagement/service/subscriptions/write", SourceARM, "api-key", "T1098.001", "creates an API Management subscription key"},
	// Entra audit activity names as Entra writes them (checked against
	// AuditLogs exports: "Update application – Certificates and secrets
	// management" has an en dash, and a trailing space the parser trims).
	{"Add service principal credentials", SourceEntraAudit, "sp-credential", "T1098.001", "adds a secret or certificate to a service principal, where the app registration's page does not show it"},
	{"Update application – Certificates and secrets management", SourceEntraAudit, "app-credential", "T1098.001", "adds a secret or certificate to an application registration: the app's permissions, usable without the user"},
	{"Add delegated permission grant", SourceEntraAudit, "consent-grant", "T1098.003", "grants an application delegated API permissions (e.g. Mail.ReadWrite for every user) without a consent prompt"},
	{"Add app role assignment to service principal", SourceEntraAudit, "app-permission-grant", "T1098.003", "grants an application an application permission (e.g. RoleManagement.ReadWrite.Directory) that acts without any user"},
	{"Add user", SourceEntraAudit, "new-user", "T1136.003", "creates a cloud account"},
	{"Invite external user", SourceEntraAudit, "guest-user", "T1136.003", "invites a guest account from another tenant"},
	{"Add member to role", SourceEntraAudit, "directory-role", "T1098.003", "grants a directory role"},
	{"Add owner to application", SourceEntraAudit, "app-owner", "T1098", "makes an identity owner of an application, able to add its credentials"},
	{"Add owner to service principal", SourceEntraAudit, "app-owner", "T1098", "makes an identity owner of a service principal, able to add its credentials"},
	{"Set federation settings on domain", SourceEntraAudit, "domain-federation", "T1484.002", "trusts an external identity provider's tokens for a domain's users (Golden SAML)"},
}

var persistenceByOp = func() map[string]PersistenceAction {
	m := make(map[string]PersistenceAction, len(persistenceCatalogue))
	for _, a := range persistenceCatalogue {
		m[strings.ToLower(a.Operation)] = a
	}
	return m
}()

// Persistence returns the catalogue entry of operation op (matched
// case-insensitively, surrounding spaces ignored).
func Persistence(op string) (PersistenceAction, bool) {
	a, ok := persistenceByOp[strings.ToLower(strings.TrimSpace(op))]
	return a, ok
}

// PersistenceCatalogue returns a copy of the catalogue.
func PersistenceCatalogue() []PersistenceAction { return slices.Clone(persistenceCatalogue) }

// persistentOps returns the techniques of the session operations that are
// persistence actions, with the first time each was seen (seconds since
// the session's start), skipping operations first seen before since.
func persistentOps(ops []sessionView, since int64) []sessionView {
	var out []sessionView
	for _, o := range ops {
		if _, ok := Persistence(o.Op); ok && o.First >= since {
			out = append(out, o)
		}
	}
	return out
}

// managementOutcome reports whether e is the outcome of an ARM operation:
// the records the management detections act on (ARM logs an operation's
// Start, and Accept for long ones, before its Success or Failure).
func managementOutcome(e *event.Event) bool {
	return e.Kind == event.KindManagement && e.Result != event.ResultUnknown && e.Operation != ""
}

// directorySuccess reports whether e is a successful Entra directory
// change (audit entries are outcomes: there is no Start record).
func directorySuccess(e *event.Event) bool {
	return e.Kind == event.KindDirectory && e.Result == event.ResultSuccess && e.Operation != ""
}
