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
// techniques" on successful operations of two logs.
//
// Azure Resource Manager:
//
//   - a custom role definition created or changed (roleDefinitions/write),
//     once per definition and session. When the Activity Log carries the
//     definition (its request or response body, event.Event.Detail), its
//     breadth decides: "*" actions, role-assignment or role-definition
//     rights and elevateAccess raise factors and the severity (high); a
//     definition granting none of them (e.g. start and restart VMs) stays
//     quiet. Without the body the alert is raised with a negative factor
//     saying its breadth is unknown;
//   - a role assignment in a session that created or changed a custom role:
//     the new role handed to an identity;
//   - an Automation webhook created in a session that created or published
//     a runbook: an unauthenticated URL that runs attacker code with the
//     account's identity (the known pattern: a runbook that creates a user
//     and grants it Owner).
//
// A service principal or managed identity that writes a role inside a
// template deployment (infrastructure as code) stays quiet.
//
// Entra audit logs (directory events): a credential added to a service
// principal, an application's credentials changed by a script or an
// application, a privileged directory role granted (see directoryFactors).
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
		Inputs: []event.Kind{event.KindManagement, event.KindDirectory},
	}
}

// Detect implements Detector.
func (d *PersistenceTechnique) Detect(in *Input) []event.Alert {
	e := in.Event
	if directorySuccess(e) {
		return d.directory(e)
	}
	if !managementOutcome(e) || e.Result != event.ResultSuccess {
		return nil
	}
	switch e.Operation {
	case roleDefinitionWrite, roleAssignmentWrite, webhookWrite:
	default:
		return nil // the session's operations matter only for these
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
	if isScripted(e) {
		factors = append(factors, event.Factor{Name: "scripted-client", Weight: 0.1, Detail: "through " + appOf(e)})
	}
	m := d.Meta()
	a := newAlert(m, e, factors, e.Key)
	if e.Operation == roleDefinitionWrite && broadRole(factors) {
		a.Severity = event.SeverityHigh
	}
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
	factors, _ := roleDefinitionFactors(e)
	return factors
}

// broadRole reports whether a role definition's factors say it grants
// "*" or rights over roles.
func broadRole(factors []event.Factor) bool {
	for _, f := range factors {
		switch f.Name {
		case "wildcard-actions", "role-assignment-rights", "elevate-access-rights":
			return true
		}
	}
	return false
}

// directory raises the alert on a directory change, if directoryFactors
// judges it a persistence technique.
func (d *PersistenceTechnique) directory(e *event.Event) []event.Alert {
	factors, tierZero := directoryFactors(e)
	if factors == nil {
		return nil
	}
	if isScripted(e) {
		factors = append(factors, event.Factor{Name: "scripted-client", Weight: 0.1, Detail: "through " + clientOf(e)})
	}
	a := newAlert(d.Meta(), e, factors, e.Key)
	if tierZero {
		a.Severity = event.SeverityHigh
	}
	act, _ := Persistence(e.Operation)
	a.MITRE.TechniqueID = firstNonEmpty(act.MITRE, a.MITRE.TechniqueID)
	a.Entities = managementEntities(e)
	a.Evidence = []event.Evidence{event.NewEvidence(e)}
	a.Description = fmt.Sprintf("%s performed %q on %s at %s: %s.",
		e.Principal, e.Operation, e.Resource, e.Time.UTC().Format(time.RFC3339), factors[0].Detail)
	a.Remediation = []string{
		"Review the application's or service principal's credentials and remove those nobody can account for; review its API permissions and directory roles.",
		"Review the directory role's members and remove unapproved ones; prefer eligible (PIM) assignments to permanent ones.",
		"If the initiator's owner did not make the change, revoke its sessions and reset its credentials.",
	}
	return []event.Alert{a}
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
