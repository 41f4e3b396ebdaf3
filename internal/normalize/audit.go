package normalize

import (
	"strings"

	"github.com/vedette/vedette/internal/event"
)

// auditCategory is the diagnostic-settings category of Entra audit logs.
const auditCategory = "AuditLogs"

// isAuditLA reports whether a Log Analytics row is of the AuditLogs table:
// it names the activity or its initiator, which no other table has.
func isAuditLA(r *rawRecord) bool {
	return r.ActivityDisplayName != "" || r.InitiatedBy.Set
}

// isAuditGraph reports whether a record is a Microsoft Graph directoryAudit.
func isAuditGraph(r *rawRecord) bool {
	return r.ActivityDateTime != "" && r.ActivityDisplayName != "" && r.ID != ""
}

// auditView locates the audit fields: diagnostic records keep them under
// "properties", Graph and Log Analytics at top level.
func auditView(f Format, r *rawRecord) (p *signInFields, when, op, category string) {
	switch f {
	case FormatEntraAudit:
		p = r.Properties
		return p, firstNonEmpty(p.ActivityDateTime, r.Time), firstNonEmpty(p.ActivityDisplayName, string(r.OperationName)), string(p.AuditCategory)
	case FormatEntraAuditGraph:
		p = &r.signInFields
		return p, p.ActivityDateTime, p.ActivityDisplayName, string(r.Category)
	}
	p = &r.signInFields // Log Analytics AuditLogs, JSON or CSV
	return p, firstNonEmpty(p.ActivityDateTime, r.TimeGenerated), firstNonEmpty(p.ActivityDisplayName, string(r.OperationName)), string(r.Category)
}

// mapAudit maps an Entra audit log entry to a directory event. Operation is
// the activity display name as written, trimmed: Entra writes "Update
// application – Certificates and secrets management " with a trailing space.
func mapAudit(f Format, r *rawRecord, e *event.Event, strs *strtab) (reason, detail string) {
	p, when, op, category := auditView(f, r)
	t, ok := strs.clock.parseTime(when)
	if !ok {
		return timeRejection("activityDateTime", when)
	}
	op = strings.TrimSpace(op)
	if op == "" {
		return "missing-operation", "no activityDisplayName or operationName"
	}
	by := &p.InitiatedBy.V
	if reason, detail = auditPrincipal(by, e, strs); reason != "" {
		return reason, detail
	}
	e.Kind, e.Time, e.Key = event.KindDirectory, t, p.ID
	e.Tenant = strs.lowerOwned(firstNonEmpty(r.TenantID, r.AADTenantID, tenantOf(r.ResourceID)), &strs.tenant)
	var bad string
	if e.SourceIP, bad = parseIP("ipAddress", firstNonEmpty(by.User.IPAddress, r.CallerIPAddress)); bad != "" {
		return "bad-ip", bad
	}
	e.UserAgent = firstNonEmpty(auditUserAgent(p.AdditionalDetails.V), p.UserAgent)
	e.Operation, e.Category = op, category
	e.ResultCode = p.Result
	e.Result = auditResult(p.Result)
	e.Interactive = e.PrincipalKind == event.PrincipalUser
	if targets := p.TargetResources.V; len(targets) > 0 {
		e.Resource = firstNonEmpty(targets[0].ID, targets[0].DisplayName)
		if isRoleMembership(op) {
			e.Detail = roleOf(targets)
		}
	}
	return "", ""
}

// auditPrincipal sets who made the change: a user by UPN (object ID when
// the entry has no UPN), or an application by its service principal.
func auditPrincipal(by *initiatedBy, e *event.Event, strs *strtab) (reason, detail string) {
	if u := by.User; u.UserPrincipalName != "" || u.ID != "" {
		e.Principal = strs.lowerWho(strings.TrimSpace(firstNonEmpty(u.UserPrincipalName, u.ID)))
		e.PrincipalID, e.PrincipalKind, e.DisplayName = u.ID, event.PrincipalUser, u.DisplayName
		return "", ""
	}
	a := by.App
	id := firstNonEmpty(a.ServicePrincipalID, a.AppID)
	e.AppID, e.AppName, e.DisplayName = a.AppID, a.DisplayName, a.DisplayName
	switch {
	case id != "":
		e.Principal = strs.lowerWho(id)
		e.PrincipalID, e.PrincipalKind = e.Principal, event.PrincipalServicePrincipal
	case a.DisplayName != "": // Microsoft's own services, named only
		e.Principal, e.PrincipalKind = strs.lowerWho(a.DisplayName), event.PrincipalService
	default:
		return "missing-principal", "no initiatedBy user or app"
	}
	return "", ""
}

// auditUserAgent is the User-Agent entry of additionalDetails.
func auditUserAgent(details []keyValue) string {
	for _, d := range details {
		if strings.EqualFold(d.Key, "User-Agent") {
			return d.Value
		}
	}
	return ""
}

// auditResult reads an audit result: success, failure, timeout.
func auditResult(s string) event.Result {
	switch {
	case strings.EqualFold(s, "success"):
		return event.ResultSuccess
	case strings.EqualFold(s, "failure"), strings.EqualFold(s, "timeout"):
		return event.ResultFailure
	}
	return event.ResultUnknown
}

// isRoleMembership reports whether op changes a directory role's members
// ("Add member to role", "Add eligible member to role in PIM completed
// (permanent)", ...), whose role the event keeps in Detail.
func isRoleMembership(op string) bool {
	return strings.Contains(strings.ToLower(op), "member to role")
}

// roleOf finds the directory role of a membership change: the
// Role.DisplayName property of the member target (a JSON string), or a
// target of type Role.
func roleOf(targets []auditTarget) string {
	for _, t := range targets {
		for _, m := range t.ModifiedProperties {
			if m.DisplayName == "Role.DisplayName" {
				if v := jsonText(m.NewValue); v != "" {
					return v
				}
			}
		}
	}
	for _, t := range targets {
		if strings.EqualFold(t.Type, "Role") && t.DisplayName != "" {
			return t.DisplayName
		}
	}
	return ""
}

// tenantOf extracts the tenant from an Entra resource ID
// ("/tenants/<id>/providers/Microsoft.aadiam").
func tenantOf(resourceID string) string { return segmentAfter(resourceID, "/tenants/") }

// jsonText reads a modified property's value: JSON text, usually a quoted
// string; anything else is taken as written.
func jsonText(v string) string {
	v = trimSpace(v)
	if v == "" || v[0] != '"' {
		return v
	}
	s, err := unquote([]byte(v))
	if err != nil {
		return ""
	}
	return s
}
