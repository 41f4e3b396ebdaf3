package normalize

import (
	"github.com/vedette/vedette/internal/event"
)

// signInCategories are the diagnostic-settings categories (and Log
// Analytics Category values) of Entra sign-in logs.
var signInCategories = map[string]event.PrincipalKind{
	"SignInLogs":                   event.PrincipalUser,
	"NonInteractiveUserSignInLogs": event.PrincipalUser,
	"ServicePrincipalSignInLogs":   event.PrincipalServicePrincipal,
	"ManagedIdentitySignInLogs":    event.PrincipalManagedIdentity,
}

func isSignInCategory(c string) bool {
	_, ok := signInCategories[c]
	return ok
}

// activityCategories are the categories of Activity Log records exported
// by diagnostic settings: the operation class (Write, Delete, Action) for
// administrative operations, the log category for the others. Resource logs
// of other services (Key Vault AuditEvent, NSG flow events) share the
// envelope and are told apart by this.
var activityCategories = map[string]bool{
	"Write": true, "Delete": true, "Action": true, "Read": true,
	"Administrative": true, "Security": true, "ServiceHealth": true, "ResourceHealth": true,
	"Alert": true, "Autoscale": true, "Recommendation": true, "Policy": true,
}

// classify decides a decoded record's format from the fields it has, or
// returns "" for records of other kinds (flow logs, other resource logs...).
func classify(r *rawRecord) Format {
	category := string(r.Category)
	switch {
	case r.EventSource != "" && r.EventName != "" && (r.EventTime != "" || r.Timestamp != ""):
		return FormatCloudTrail
	case r.TimeGenerated != "":
		return classifyLA(r, category)
	case r.Properties != nil && isSignInCategory(category):
		return FormatEntraSignIn
	case r.Properties != nil && category == auditCategory:
		return FormatEntraAudit
	case r.EventTimestamp != "" && (r.EventDataID != "" || r.OperationName != ""):
		return FormatAzureActivityREST
	case r.Time != "" && r.OperationName != "" && activityCategories[category]:
		return FormatAzureActivity
	case isAuditGraph(r):
		return FormatEntraAuditGraph
	case r.CreatedDateTime != "" && r.ID != "" && (r.UserPrincipalName != "" || r.UserID != "" || r.ServicePrincipalID != ""):
		return FormatEntraSignInGraph
	}
	return ""
}

func classifyLA(r *rawRecord, category string) Format {
	switch {
	case isSignInCategory(category) || r.UserPrincipalName != "" && (r.ResultType != "" || r.Status.HasCode):
		return FormatLASignIn
	case isAuditLA(r):
		return FormatLAAudit
	case r.Caller != "" || r.OperationNameValue != "" || r.ActivityStatusValue != "" || r.EventDataID != "":
		return FormatLAActivity
	}
	return ""
}

// mapRecord fills e from r; a non-empty reason rejects the record. strs
// lower-cases what e keeps in lower case.
func mapRecord(f Format, r *rawRecord, e *event.Event, strs *strtab) (reason, detail string) {
	switch f {
	case FormatCloudTrail:
		return mapCloudTrail(r, e)
	case FormatEntraSignIn, FormatEntraSignInGraph, FormatLASignIn, FormatLASignInCSV:
		return mapSignIn(f, r, e, strs)
	case FormatEntraAudit, FormatEntraAuditGraph, FormatLAAudit, FormatLAAuditCSV:
		return mapAudit(f, r, e, strs)
	}
	return mapActivity(f, r, e, strs)
}
