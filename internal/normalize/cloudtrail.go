package normalize

import (
	"strings"

	"github.com/vedette/vedette/internal/event"
)

func mapCloudTrail(r *rawRecord, e *event.Event) (reason, detail string) {
	when := firstNonEmpty(r.EventTime, r.Timestamp)
	t, ok := parseTime(when)
	if !ok {
		return timeRejection("eventTime", when)
	}
	if r.UserIdentity == nil {
		return "missing-principal", "no userIdentity"
	}
	id := r.UserIdentity
	e.Principal, e.PrincipalKind = awsPrincipal(id)
	if e.Principal == "" {
		return "missing-principal", "userIdentity of type " + quoteShort(id.Type) + " names nobody"
	}
	e.Kind, e.Time, e.Key = event.KindCloudTrail, t, r.EventID
	e.Tenant = firstNonEmpty(r.RecipientAccountID, id.AccountID) // digits: no case
	e.PrincipalID, e.DisplayName = id.PrincipalID, id.ARN
	// sourceIPAddress is a service's host name when a service acted.
	var bad string
	if e.SourceIP, bad = parseIP("sourceIPAddress", r.SourceIPAddress); bad != "" {
		return "bad-ip", bad
	}
	e.UserAgent = r.UserAgent
	e.Operation = r.EventSource + ":" + string(r.EventName)
	e.Category = r.EventType
	e.Result, e.ResultCode = event.ResultSuccess, r.ErrorCode
	if r.ErrorCode != "" || r.ResponseElements != nil && r.ResponseElements.ConsoleLogin == "Failure" {
		e.Result = event.ResultFailure
	}
	e.Interactive = true
	if len(r.Resources) > 0 {
		e.Resource = r.Resources[0].ARN
	}
	return "", ""
}

// awsPrincipal names the identity that made a call: the IAM user name, the
// role and session of an assumed role ("Role/session"), the ARN of others,
// or the invoking service.
func awsPrincipal(id *awsIdentity) (string, event.PrincipalKind) {
	switch id.Type {
	case "AWSService":
		return firstNonEmpty(id.InvokedBy, id.PrincipalID), event.PrincipalService
	case "IAMUser":
		return firstNonEmpty(id.UserName, id.ARN, id.PrincipalID), event.PrincipalUser
	case "AssumedRole":
		return assumedRole(id)
	case "Root", "FederatedUser", "IdentityCenterUser", "SAMLUser", "WebIdentityUser":
		return firstNonEmpty(id.ARN, id.UserName, id.PrincipalID), event.PrincipalUser
	}
	return firstNonEmpty(id.ARN, id.PrincipalID), event.PrincipalUnknown
}

// assumedRole names a role session. Sessions of IAM Identity Center roles
// are people; an EC2 instance profile's session is named after the
// instance, the AWS counterpart of a managed identity; other roles are
// workloads.
func assumedRole(id *awsIdentity) (string, event.PrincipalKind) {
	session := id.ARN[strings.LastIndexByte(id.ARN, '/')+1:]
	role := ""
	if id.SessionContext != nil {
		role = id.SessionContext.SessionIssuer.UserName
	}
	if role == "" || session == "" {
		return firstNonEmpty(id.ARN, id.PrincipalID), event.PrincipalServicePrincipal
	}
	kind := event.PrincipalServicePrincipal
	switch {
	case strings.HasPrefix(role, "AWSReservedSSO_"):
		kind = event.PrincipalUser
	case strings.HasPrefix(session, "i-"):
		kind = event.PrincipalManagedIdentity
	}
	return role + "/" + session, kind
}
