package normalize

import (
	"fmt"
	"strconv"
	"strings"
)

// Column setters of the Log Analytics CSV exports, by normalized column
// name (see csvColumn). Dynamic columns hold JSON text.

func str(field func(*rawRecord) *string) func(*rawRecord, string) error {
	return func(r *rawRecord, v string) error {
		*field(r) = v
		return nil
	}
}

var sharedColumns = map[string]func(*rawRecord, string) error{
	"timegenerated": str(func(r *rawRecord) *string { return &r.TimeGenerated }),
	"category":      func(r *rawRecord, v string) error { r.Category = valueString(v); return nil },
	"resulttype":    str(func(r *rawRecord) *string { return &r.ResultType }),
}

var signInColumns = withShared(map[string]func(*rawRecord, string) error{
	"createddatetime":       str(func(r *rawRecord) *string { return &r.CreatedDateTime }),
	"id":                    str(func(r *rawRecord) *string { return &r.ID }),
	"userprincipalname":     str(func(r *rawRecord) *string { return &r.UserPrincipalName }),
	"userid":                str(func(r *rawRecord) *string { return &r.UserID }),
	"userdisplayname":       str(func(r *rawRecord) *string { return &r.UserDisplayName }),
	"appid":                 str(func(r *rawRecord) *string { return &r.AppID }),
	"appdisplayname":        str(func(r *rawRecord) *string { return &r.AppDisplayName }),
	"ipaddress":             str(func(r *rawRecord) *string { return &r.IPAddress }),
	"useragent":             str(func(r *rawRecord) *string { return &r.UserAgent }),
	"serviceprincipalid":    str(func(r *rawRecord) *string { return &r.ServicePrincipalID }),
	"serviceprincipalname":  str(func(r *rawRecord) *string { return &r.ServicePrincipal }),
	"resourcetenantid":      str(func(r *rawRecord) *string { return &r.ResourceTenantID }),
	"hometenantid":          str(func(r *rawRecord) *string { return &r.HomeTenantID }),
	"resourcedisplayname":   str(func(r *rawRecord) *string { return &r.ResourceDisplayName }),
	"resourceidentity":      str(func(r *rawRecord) *string { return &r.ResourceIdentity }),
	"aadtenantid":           str(func(r *rawRecord) *string { return &r.AADTenantID }),
	"location":              str(func(r *rawRecord) *string { return &r.Location.Country }),
	"isinteractive":         setBool,
	"latitude":              setFloat(func(r *rawRecord) **float64 { return &r.Latitude }),
	"longitude":             setFloat(func(r *rawRecord) **float64 { return &r.Longitude }),
	"status":                func(r *rawRecord, v string) error { return r.Status.UnmarshalJSON([]byte(v)) },
	"locationdetails":       func(r *rawRecord, v string) error { return r.LocationDetails.decodeString(v) },
	"authenticationdetails": setAuthStepTime,
})

var activityColumns = withShared(map[string]func(*rawRecord, string) error{
	"caller":              str(func(r *rawRecord) *string { return &r.Caller }),
	"calleripaddress":     str(func(r *rawRecord) *string { return &r.CallerIPAddress }),
	"operationnamevalue":  str(func(r *rawRecord) *string { return &r.OperationNameValue }),
	"operationname":       func(r *rawRecord, v string) error { r.OperationName = valueString(v); return nil },
	"categoryvalue":       str(func(r *rawRecord) *string { return &r.CategoryValue }),
	"activitystatusvalue": str(func(r *rawRecord) *string { return &r.ActivityStatusValue }),
	"activitystatus":      str(func(r *rawRecord) *string { return &r.ActivityStatus }),
	"subscriptionid":      str(func(r *rawRecord) *string { return &r.SubscriptionID }),
	"resourceid":          str(func(r *rawRecord) *string { return &r.ResourceID }),
	"_resourceid":         str(func(r *rawRecord) *string { return &r.ResourceIDLA }),
	"eventdataid":         str(func(r *rawRecord) *string { return &r.EventDataID }),
	"correlationid":       func(r *rawRecord, v string) error { r.CorrelationID = valueString(v); return nil },
	"claims":              func(r *rawRecord, v string) error { return r.Claims.decodeString(v) },
	"authorization":       func(r *rawRecord, v string) error { return r.Authorization.decodeString(v) },
	"httprequest":         func(r *rawRecord, v string) error { return r.HTTPRequest.decodeString(v) },
})

var auditColumns = withShared(map[string]func(*rawRecord, string) error{
	"id":                  str(func(r *rawRecord) *string { return &r.ID }),
	"operationname":       func(r *rawRecord, v string) error { r.OperationName = valueString(v); return nil },
	"activitydisplayname": str(func(r *rawRecord) *string { return &r.ActivityDisplayName }),
	"activitydatetime":    str(func(r *rawRecord) *string { return &r.ActivityDateTime }),
	"result":              str(func(r *rawRecord) *string { return &r.Result }),
	"useragent":           str(func(r *rawRecord) *string { return &r.UserAgent }),
	"aadtenantid":         str(func(r *rawRecord) *string { return &r.AADTenantID }),
	"resourceid":          str(func(r *rawRecord) *string { return &r.ResourceID }),
	"correlationid":       func(r *rawRecord, v string) error { r.CorrelationID = valueString(v); return nil },
	"initiatedby":         func(r *rawRecord, v string) error { return r.InitiatedBy.decodeString(v) },
	"targetresources":     func(r *rawRecord, v string) error { return r.TargetResources.decodeString(v) },
	"additionaldetails":   func(r *rawRecord, v string) error { return r.AdditionalDetails.decodeString(v) },
})

func withShared(m map[string]func(*rawRecord, string) error) map[string]func(*rawRecord, string) error {
	for k, v := range sharedColumns {
		m[k] = v
	}
	return m
}

func setBool(r *rawRecord, v string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("%s is not a boolean", quoteShort(v))
	}
	r.IsInteractive = &b
	return nil
}

func setFloat(field func(*rawRecord) **float64) func(*rawRecord, string) error {
	return func(r *rawRecord, v string) error {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return fmt.Errorf("%s is not a number", quoteShort(v))
		}
		*field(r) = &f
		return nil
	}
}

// setAuthStepTime keeps the time of the first authentication step, the
// only timestamp of some SigninLogs exports (they drop TimeGenerated).
func setAuthStepTime(r *rawRecord, v string) error {
	var steps []struct {
		Time string `json:"authenticationStepDateTime"`
	}
	if err := decodeJSON([]byte(v), &steps); err != nil {
		return fmt.Errorf("not a JSON array of authentication steps: %w", err)
	}
	for _, s := range steps {
		if _, ok := parseTime(s.Time); ok {
			r.AuthStepTime = s.Time
			return nil
		}
	}
	return nil
}
