package gen

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// signInRecord is an Entra ID sign-in as Azure Monitor diagnostic settings
// export it (Event Hub / storage account record shape).
type signInRecord struct {
	Time              string      `json:"time"`
	ResourceID        string      `json:"resourceId"`
	OperationName     string      `json:"operationName"`
	OperationVersion  string      `json:"operationVersion"`
	Category          string      `json:"category"`
	TenantID          string      `json:"tenantId"`
	ResultType        string      `json:"resultType"`
	ResultSignature   string      `json:"resultSignature"`
	ResultDescription string      `json:"resultDescription,omitempty"`
	DurationMs        int         `json:"durationMs"`
	CallerIPAddress   string      `json:"callerIpAddress"`
	CorrelationID     string      `json:"correlationId"`
	Identity          string      `json:"identity"`
	Level             int         `json:"Level"`
	Location          string      `json:"location"`
	Properties        signInProps `json:"properties"`
}

type signInProps struct {
	ID                        string       `json:"id"`
	CreatedDateTime           string       `json:"createdDateTime"`
	UserDisplayName           string       `json:"userDisplayName"`
	UserPrincipalName         string       `json:"userPrincipalName"`
	UserID                    string       `json:"userId"`
	AppID                     string       `json:"appId"`
	AppDisplayName            string       `json:"appDisplayName"`
	IPAddress                 string       `json:"ipAddress"`
	Status                    signInStatus `json:"status"`
	ClientAppUsed             string       `json:"clientAppUsed"`
	UserAgent                 string       `json:"userAgent"`
	DeviceDetail              deviceDetail `json:"deviceDetail"`
	Location                  signInPlace  `json:"location"`
	CorrelationID             string       `json:"correlationId"`
	ConditionalAccessStatus   string       `json:"conditionalAccessStatus"`
	IsInteractive             bool         `json:"isInteractive"`
	ResourceDisplayName       string       `json:"resourceDisplayName"`
	ResourceID                string       `json:"resourceId"`
	ResourceTenantID          string       `json:"resourceTenantId"`
	HomeTenantID              string       `json:"homeTenantId"`
	AuthenticationRequirement string       `json:"authenticationRequirement"`
	RiskDetail                string       `json:"riskDetail"`
	RiskLevelAggregated       string       `json:"riskLevelAggregated"`
	RiskLevelDuringSignIn     string       `json:"riskLevelDuringSignIn"`
	RiskState                 string       `json:"riskState"`
	TokenIssuerType           string       `json:"tokenIssuerType"`
	UserType                  string       `json:"userType"`
	ProcessingTimeMs          int          `json:"processingTimeInMilliseconds"`
}

type signInStatus struct {
	ErrorCode     int    `json:"errorCode"`
	FailureReason string `json:"failureReason,omitempty"`
}

type deviceDetail struct {
	DeviceID        string `json:"deviceId"`
	DisplayName     string `json:"displayName"`
	OperatingSystem string `json:"operatingSystem"`
	Browser         string `json:"browser"`
	IsCompliant     bool   `json:"isCompliant"`
	IsManaged       bool   `json:"isManaged"`
	TrustType       string `json:"trustType"`
}

type signInPlace struct {
	City            string  `json:"city"`
	State           string  `json:"state"`
	CountryOrRegion string  `json:"countryOrRegion"`
	GeoCoordinates  *coords `json:"geoCoordinates,omitempty"`
}

type coords struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// failures are the Entra error codes the generator emits.
var failures = map[int]string{
	50126: "Error validating credentials due to invalid username or password.",
	50053: "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
	50074: "Strong Authentication is required.",
	50140: "This error occurred due to 'Keep me signed in' interrupt when the user was signing-in.",
}

// signIn is what the generator decides about one sign-in; record turns it
// into the exported shape.
type signIn struct {
	u           *user
	t           time.Time
	ep          endpoint
	app         *app
	dev         *device
	interactive bool
	code        int
	noCoords    bool
}

// timeLayout is Entra's export format: 7 fractional digits, UTC.
const timeLayout = "2006-01-02T15:04:05.0000000Z"

// emit adds s to the sign-in stream and returns the record's ID and time.
func (g *generator) emit(rng *rand.Rand, s signIn) (string, time.Time) {
	// Entra exports sub-second times; the jitter is below the generator's
	// scheduling resolution.
	s.t = s.t.Truncate(100).Add(time.Duration(rng.Int64N(int64(time.Second))) / 100 * 100)
	id, corr := newGUID(rng), newGUID(rng)
	cat := "SignInLogs"
	if !s.interactive {
		cat = "NonInteractiveUserSignInLogs"
	}
	r := &signInRecord{
		Time: s.t.Format(timeLayout), ResourceID: "/tenants/" + g.cfg.Tenant + "/providers/Microsoft.aadiam",
		OperationName: "Sign-in activity", OperationVersion: "1.0", Category: cat, TenantID: g.cfg.Tenant,
		ResultType: strconv.Itoa(s.code), ResultSignature: "None", ResultDescription: failures[s.code],
		CallerIPAddress: s.ep.IP.String(), CorrelationID: corr, Identity: s.u.name, Level: 4,
		Properties: signInProps{
			ID: id, CreatedDateTime: s.t.Format("2006-01-02T15:04:05.0000000+00:00"),
			UserDisplayName: s.u.name, UserPrincipalName: s.u.upn, UserID: s.u.id,
			AppID: s.app.ID, AppDisplayName: s.app.Name, IPAddress: s.ep.IP.String(),
			Status: signInStatus{ErrorCode: s.code, FailureReason: failures[s.code]}, ClientAppUsed: s.app.Client,
			UserAgent: s.dev.UA, DeviceDetail: s.dev.detail(s.u), CorrelationID: corr,
			ConditionalAccessStatus: "success", IsInteractive: s.interactive,
			ResourceDisplayName: s.app.Resource, ResourceID: s.app.ResourceID,
			ResourceTenantID: g.cfg.Tenant, HomeTenantID: g.cfg.Tenant,
			AuthenticationRequirement: "singleFactorAuthentication", RiskDetail: "none",
			RiskLevelAggregated: "none", RiskLevelDuringSignIn: "none", RiskState: "none",
			TokenIssuerType: "AzureAD", UserType: "Member", ProcessingTimeMs: 40 + rng.IntN(400),
		},
	}
	if s.interactive {
		r.Properties.AuthenticationRequirement = "multiFactorAuthentication"
	}
	if s.code != 0 {
		r.Properties.ConditionalAccessStatus = "notApplied"
	}
	if c := s.ep.City; c != nil {
		r.Location = c.Country
		r.Properties.Location = signInPlace{City: c.Name, State: c.State, CountryOrRegion: c.Country}
		if !s.noCoords {
			r.Properties.Location.GeoCoordinates = &coords{Latitude: c.Lat, Longitude: c.Lon}
		}
	}
	g.signins.add(s.t, id, r)
	return id, s.t
}
