package normalize

import (
	"strings"
	"unicode"

	"github.com/vedette/vedette/internal/event"
)

// signIn gathers the fields of a sign-in, wherever its shape keeps them.
type signIn struct {
	p        *signInFields
	when     string
	status   *status
	geo      *geoDetail
	resource string
}

// view locates the sign-in fields: diagnostic records keep them under
// "properties", Graph and Log Analytics at top level.
func view(f Format, r *rawRecord) signIn {
	s := signIn{p: &r.signInFields, status: &r.Status, geo: &r.Location.Detail, resource: r.ResourceID}
	switch f {
	case FormatEntraSignIn:
		p := r.Properties
		s.p, s.when, s.resource = p, firstNonEmpty(p.CreatedDateTime, r.Time), p.Resource
		if p.Status != nil {
			s.status = p.Status
		}
		if p.Location != nil {
			s.geo = &p.Location.Detail
		}
	case FormatEntraSignInGraph:
		s.when = r.CreatedDateTime
	default: // Log Analytics SigninLogs, JSON or CSV
		s.when, s.resource = firstNonEmpty(r.TimeGenerated, r.CreatedDateTime, r.AuthStepTime), r.ResourceIdentity
		if r.LocationDetails.Set {
			s.geo = &r.LocationDetails.V
		}
	}
	return s
}

func mapSignIn(f Format, r *rawRecord, e *event.Event, strs *strtab) (reason, detail string) {
	s := view(f, r)
	p := s.p
	t, ok := strs.clock.parseTime(s.when)
	if !ok {
		return timeRejection("createdDateTime", s.when)
	}
	category := string(r.Category)
	if reason, detail = signInPrincipal(p, category, e, strs); reason != "" {
		return reason, detail
	}
	e.Kind, e.Time, e.Key = event.KindSignIn, t, p.ID
	e.Tenant = strs.lowerOwned(firstNonEmpty(r.AADTenantID, r.TenantID, p.ResourceTenantID, p.HomeTenantID), &strs.tenant)
	var bad string
	if e.SourceIP, bad = parseIP("ipAddress", firstNonEmpty(p.IPAddress, r.CallerIPAddress)); bad != "" {
		return "bad-ip", bad
	}
	e.UserAgent, e.AppID, e.AppName = p.UserAgent, p.AppID, p.AppDisplayName
	e.Operation, e.Category, e.Resource = "sign-in", category, s.resource

	code := r.ResultType
	if s.status.HasCode {
		code = s.status.ErrorCode
	}
	e.ResultCode, e.Result = code, signInResult(code)

	switch {
	case e.PrincipalKind != event.PrincipalUser:
		e.Interactive = false // workload identities never sign in interactively
	case p.IsInteractive != nil:
		e.Interactive = *p.IsInteractive
	default:
		e.Interactive = category != "NonInteractiveUserSignInLogs"
	}
	signInLocation(&e.Location, r, s.geo)
	return "", ""
}

// signInPrincipal sets who signed in: the user's UPN (or object ID when
// the record has no UPN), or the workload identity's object ID.
func signInPrincipal(p *signInFields, category string, e *event.Event, strs *strtab) (reason, detail string) {
	kind, known := signInCategory(category)
	workload := known && kind != event.PrincipalUser ||
		!known && p.UserPrincipalName == "" && p.UserID == "" && p.ServicePrincipalID != ""
	if workload {
		if kind == event.PrincipalUnknown {
			kind = event.PrincipalServicePrincipal
		}
		e.Principal = strs.lowerWho(p.ServicePrincipalID)
		e.PrincipalID, e.PrincipalKind, e.DisplayName = e.Principal, kind, p.ServicePrincipal
		if e.Principal == "" {
			return "missing-principal", "no servicePrincipalId in a " + category + " record"
		}
		return "", ""
	}
	e.Principal = strs.lowerWho(quickTrim(firstNonEmpty(p.UserPrincipalName, p.UserID)))
	e.PrincipalID, e.PrincipalKind, e.DisplayName = p.UserID, event.PrincipalUser, p.UserDisplayName
	if e.Principal == "" {
		return "missing-principal", "no userPrincipalName or userId"
	}
	return "", ""
}

// signInResult reads an Entra error code: 0 is success.
func signInResult(code string) event.Result {
	switch code {
	case "":
		return event.ResultUnknown
	case "0":
		return event.ResultSuccess
	}
	return event.ResultFailure
}

// signInLocation sets l, zero, to where the record says the sign-in came
// from (recordLocation). Log Analytics Latitude/Longitude columns, when
// present, take precedence over LocationDetails.
func signInLocation(l *event.Location, r *rawRecord, geo *geoDetail) {
	var lat, lon float64
	switch {
	case r.Latitude != nil && r.Longitude != nil && validCoord(*r.Latitude, *r.Longitude):
		lat, lon = *r.Latitude, *r.Longitude
	case geo.GeoCoordinates != nil && geo.GeoCoordinates.Latitude != nil && geo.GeoCoordinates.Longitude != nil:
		lat, lon = *geo.GeoCoordinates.Latitude, *geo.GeoCoordinates.Longitude
	}
	recordLocation(l, firstNonEmpty(geo.CountryOrRegion, r.Location.Country), geo.City, lat, lon)
}

func timeRejection(field, value string) (reason, detail string) {
	if strings.TrimSpace(value) == "" {
		return "missing-time", "no " + field
	}
	return "bad-time", field + " " + quoteShort(value) + " is not a timestamp"
}

// quoteShort quotes a value for a rejection detail, cut to a sane length,
// with each control character as '?': the detail reaches terminals
// (`vedette detect` prints examples) and the value is untrusted.
func quoteShort(s string) string {
	const max = 80
	if len(s) > max {
		s = s[:max] + "..."
	}
	return "\"" + strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?")) + "\""
}
