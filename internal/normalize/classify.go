package normalize

import (
	"github.com/vedette/vedette/internal/event"
)

// signInCategory reports whether c is a diagnostic-settings category (or
// Log Analytics Category value) of Entra sign-in logs, and who signs in
// under it. A switch rather than a map: it runs once or twice a record.
func signInCategory(c string) (event.PrincipalKind, bool) {
	switch c {
	case "SignInLogs", "NonInteractiveUserSignInLogs":
		return event.PrincipalUser, true
	case "ServicePrincipalSignInLogs":
		return event.PrincipalServicePrincipal, true
	case "ManagedIdentitySignInLogs":
		return event.PrincipalManagedIdentity, true
	}
	return event.PrincipalUnknown, false
}

func isSignInCategory(c string) bool {
	_, ok := signInCategory(c)
	return ok
}

// isActivityCategory reports whether c is a category of Activity Log
// records exported by diagnostic settings: the operation class (Write,
// Delete, Action) for administrative operations, the log category for the
// others. Resource logs of other services (Key Vault AuditEvent, NSG flow
// events) share the envelope and are told apart by this.
func isActivityCategory(c string) bool {
	switch c {
	case "Write", "Delete", "Action", "Read",
		"Administrative", "Security", "ServiceHealth", "ResourceHealth",
		"Alert", "Autoscale", "Recommendation", "Policy":
		return true
	}
	return false
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
	case r.Time != "" && r.OperationName != "" && isActivityCategory(category):
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
