package detect

import (
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/event"
)

// Operations the persistence-technique detection follows.
const (
	roleDefinitionWrite = "microsoft.authorization/roledefinitions/write"
	roleAssignmentWrite = "microsoft.authorization/roleassignments/write"
	webhookWrite        = "microsoft.automation/automationaccounts/webhooks/write"
	runbookWrite        = "microsoft.automation/automationaccounts/runbooks/write"
	runbookPublish      = "microsoft.automation/automationaccounts/runbooks/publish/action"
	deploymentWrite     = "microsoft.resources/deployments/write"
)

// PersistenceTechnique raises "Use of advanced Azure persistence
// techniques" on three successful operations:
//
//   - a custom role definition created or changed (roleDefinitions/write),
//     once per definition and session;
//   - a role assignment in a session that created or changed a custom role:
//     the new role handed to an identity;
//   - an Automation webhook created in a session that created or published
//     a runbook: an unauthenticated URL that runs attacker code with the
//     account's identity (the known pattern: a runbook that creates a user
//     and grants it Owner).
//
// The Activity Log carries the role definition (its actions, "*" or
// role-assignment rights) and the assignee's type only in the request and
// response bodies, which Vedette's events do not hold: the alert says so in
// its confidence. A service principal or managed identity that writes a
// role inside a template deployment (infrastructure as code) stays quiet.
type PersistenceTechnique struct {
	// Window is how close together the related operations must be (the
	// definition and its assignment, the runbook and its webhook, a
	// deployment and the role it ships). Default 1h; at most
	// baseline.SessionIdle (2h).
	Window time.Duration `yaml:"window"`
}

var _ Detector = (*PersistenceTechnique)(nil)

// DefaultPersistenceTechnique returns the defaults.
func DefaultPersistenceTechnique() PersistenceTechnique {
	return PersistenceTechnique{Window: time.Hour}
}

// Meta implements Detector.
func (d *PersistenceTechnique) Meta() Meta {
	return Meta{
		ID: "persistence-technique", Name: "Use of advanced Azure persistence techniques",
		AlertType: "ARM_PrivilegedRoleDefinitionCreation", Severity: event.SeverityMedium,
		MITRE:  event.MITRE{Tactic: "Persistence", Technique: "Account Manipulation: Additional Cloud Roles", TechniqueID: "T1098.003"},
		Inputs: []event.Kind{event.KindManagement},
	}
}

// Detect implements Detector.
func (d *PersistenceTechnique) Detect(in *Input) []event.Alert {
	e := in.Event
	if !managementOutcome(e) || e.Result != event.ResultSuccess {
		return nil
	}
	var before []sessionView
	if in.Principal != nil {
		before = d.recent(viewOps(in.Tenant.Session(in.Index), e.Time), e.Time)
	}
	var factors []event.Factor
	switch e.Operation {
	case roleDefinitionWrite:
		factors = d.roleDefinition(e, before)
	case roleAssignmentWrite:
		if def, ok := findOp(before, roleDefinitionWrite); ok && !infrastructureAsCode(e, before) {
			factors = []event.Factor{
				{Name: "custom-role-assigned", Weight: 0.5, Detail: fmt.Sprintf("assigned after %d custom role write(s) in this session (first %s)", def.N, unixUTC(def.First))},
				{Name: "assignee-unknown", Weight: -0.1, Detail: "the assignee and its type are in the request body, not in the event"},
			}
		}
	case webhookWrite:
		factors = d.webhook(before)
	}
	if factors == nil {
		return nil
	}
	if isPowerShell(e) || e.AppID == azureCLIAppID {
		factors = append(factors, event.Factor{Name: "scripted-client", Weight: 0.1, Detail: "through " + appOf(e)})
	}
	m := d.Meta()
	a := newAlert(m, e, factors, e.Key)
	a.Entities = managementEntities(e)
	a.Evidence = []event.Evidence{event.NewEvidence(e)}
	a.Description = fmt.Sprintf("%s performed %q on %s at %s: %s. Operations of the session: %s.",
		e.Principal, e.Operation, e.Resource, e.Time.UTC().Format(time.RFC3339), factors[0].Detail, opsSummary(before))
	a.Remediation = []string{
		"Review the role definition's actions and assignable scopes, and every assignment of it; remove what was not approved.",
		"Review the Automation account's runbooks and webhooks; delete webhooks nobody owns.",
		"If the principal's owner did not make the change, revoke its sessions and reset its credentials.",
	}
	return []event.Alert{a}
}

// azureCLIAppID is the client app ID of the Azure CLI.
const azureCLIAppID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

func (d *PersistenceTechnique) roleDefinition(e *event.Event, before []sessionView) []event.Factor {
	if prev, ok := findOp(before, roleDefinitionWrite); ok && prev.op.Has(baseline.ResourceHash(e.Resource)) {
		return nil // this definition was already reported in this session
	}
	if infrastructureAsCode(e, before) {
		return nil
	}
	return []event.Factor{
		{Name: "custom-role-written", Weight: 0.5, Detail: "custom role definition created or changed"},
		{Name: "role-body-unavailable", Weight: -0.15, Detail: "the definition's actions (\"*\", role assignment or elevate rights) are in the request body, not in the event"},
	}
}

func (d *PersistenceTechnique) webhook(before []sessionView) []event.Factor {
	rb, ok := findOp(before, runbookWrite)
	if !ok {
		if rb, ok = findOp(before, runbookPublish); !ok {
			return nil
		}
	}
	return []event.Factor{
		{Name: "runbook-webhook", Weight: 0.6, Detail: fmt.Sprintf("webhook created after runbook %s at %s in the same session", rb.Op[len("microsoft.automation/automationaccounts/"):], unixUTC(rb.First))},
	}
}

// recent keeps the operations last seen within the window before now.
func (d *PersistenceTechnique) recent(ops []sessionView, now time.Time) []sessionView {
	cut := now.Unix() - int64(d.Window/time.Second)
	out := ops[:0]
	for _, o := range ops {
		if o.Last >= cut {
			out = append(out, o)
		}
	}
	return out
}

// infrastructureAsCode reports whether e is a workload identity's change
// inside a template deployment: roles that ship with a release.
func infrastructureAsCode(e *event.Event, before []sessionView) bool {
	if e.PrincipalKind == event.PrincipalUser {
		return false
	}
	_, ok := findOp(before, deploymentWrite)
	return ok
}
