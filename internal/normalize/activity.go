package normalize

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/vedette/vedette/internal/event"
)

// activity gathers the fields of an ARM activity record, wherever its
// shape keeps them.
type activity struct {
	when, op, category, status, ip, key string
	claims                              *claims
	authz                               *authz
}

func activityView(f Format, r *rawRecord) activity {
	a := activity{claims: &r.Claims.V, authz: &r.Authorization.V}
	if r.Identity.Set {
		a.claims, a.authz = &r.Identity.V.Claims, &r.Identity.V.Authorization
	}
	switch f {
	case FormatAzureActivity:
		a.when, a.op, a.category, a.status = r.Time, string(r.OperationName), string(r.Category), r.ResultType
		a.ip = r.CallerIPAddress
	case FormatAzureActivityREST:
		a.when, a.op, a.category, a.status = r.EventTimestamp, string(r.OperationName), string(r.Category), r.Status.Value
		a.ip, a.key = r.HTTPRequest.V.ClientIPAddress, r.EventDataID
	default: // Log Analytics AzureActivity, JSON or CSV
		a.when = r.TimeGenerated
		a.op = firstNonEmpty(r.OperationNameValue, a.authz.Action, string(r.OperationName))
		a.category = firstNonEmpty(r.CategoryValue, string(r.Category))
		a.status = firstNonEmpty(r.ActivityStatusValue, r.ActivityStatus)
		a.ip = firstNonEmpty(r.CallerIPAddress, r.HTTPRequest.V.ClientIPAddress)
		a.key = r.EventDataID
	}
	if a.ip == "" {
		a.ip = a.claims.IPAddr
	}
	return a
}

func mapActivity(f Format, r *rawRecord, e *event.Event, strs *strtab) (reason, detail string) {
	a := activityView(f, r)
	t, ok := strs.clock.parseTime(a.when)
	if !ok {
		return timeRejection("time", a.when)
	}
	cl := a.claims
	e.Principal, e.PrincipalID, e.PrincipalKind = armPrincipal(r.Caller, cl, a.authz, strs)
	if e.Principal == "" {
		return "missing-principal", "no caller, upn or object ID claim"
	}
	resourceID := firstNonEmpty(r.ResourceID, r.ResourceIDLA)
	e.Kind, e.Time, e.Key = event.KindManagement, t, a.key
	e.Tenant = strs.lowerOwned(firstNonEmpty(cl.TenantID, cl.TID, r.TenantID), &strs.tenant)
	e.Subscription = strs.lowerOwned(firstNonEmpty(subscriptionOf(resourceID), r.SubscriptionID), &strs.sub)
	e.DisplayName = firstNonEmpty(cl.Name, strings.TrimSpace(cl.NameClaim))
	var bad string
	if e.SourceIP, bad = parseIP("callerIpAddress", a.ip); bad != "" {
		return "bad-ip", bad
	}
	e.AppID = cl.AppID
	e.Operation, e.Category = strs.lower(a.op), a.category
	e.Result, e.ResultCode = armResult(a.status), a.status
	e.Interactive = true
	e.Resource = strs.lower(resourceID)
	if e.Operation == roleDefinitionWrite && r.Properties != nil {
		e.Detail = bodyText(r.Properties.RequestBody, r.Properties.ResponseBody)
	}
	return "", ""
}

// roleDefinitionWrite is the operation whose request body events keep: the
// role definition, whose breadth the persistence detection judges.
const roleDefinitionWrite = "microsoft.authorization/roledefinitions/write"

// bodyText returns the first non-empty body (JSON text in a string, or an
// object as written), empty when it exceeds event.MaxDetail.
func bodyText(bodies ...json.RawMessage) string {
	for _, raw := range bodies {
		raw = bytes.TrimSpace(raw)
		var s string
		switch firstByte(raw) {
		case '"':
			v, err := unquote(raw)
			if err != nil {
				continue
			}
			s = trimSpace(v)
		case '{':
			s = string(raw)
		}
		if s == "" {
			continue
		}
		if len(s) > event.MaxDetail {
			return ""
		}
		return s
	}
	return ""
}

// armPrincipal finds who called ARM: a user by UPN, otherwise a workload
// identity by object ID, otherwise the caller as written (a service).
func armPrincipal(caller string, cl *claims, az *authz, strs *strtab) (principal, id string, kind event.PrincipalKind) {
	caller = strings.TrimSpace(caller)
	id = firstNonEmpty(cl.ObjectID, cl.OID)
	if upn := firstNonEmpty(cl.UPN, cl.UPNShort); upn != "" {
		return strs.lowerWho(upn), id, event.PrincipalUser
	}
	if strings.Contains(caller, "@") {
		return strs.lowerWho(caller), id, event.PrincipalUser
	}
	if id == "" && isGUID(caller) {
		id = caller
	}
	if id == "" {
		id = dashGUID(az.Evidence.PrincipalID)
	}
	if id == "" {
		if caller == "" {
			return "", "", event.PrincipalUnknown
		}
		return strs.lowerWho(caller), "", event.PrincipalService
	}
	id = strs.lowerWho(id)
	kind = event.PrincipalServicePrincipal
	if cl.MIResource != "" || strings.EqualFold(az.Evidence.PrincipalType, "ManagedIdentity") {
		kind = event.PrincipalManagedIdentity
	}
	return id, id, kind
}

// dashGUID writes a 32-hex-digit object ID (as role-assignment evidence
// has it) in the usual dashed form.
func dashGUID(s string) string {
	if len(s) != 32 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return ""
		}
	}
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// armResult reads an ARM status. ARM logs an operation's Start or Accept
// and then its Success or Failure; only the outcome counts.
func armResult(s string) event.Result {
	switch {
	case strings.EqualFold(s, "success"), strings.EqualFold(s, "succeeded"):
		return event.ResultSuccess
	case strings.EqualFold(s, "failure"), strings.EqualFold(s, "failed"):
		return event.ResultFailure
	}
	return event.ResultUnknown
}
